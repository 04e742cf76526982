// Entry of the partial plotly.js bundle (assets/vendor/plotly-mtm.min.js): core + the trace types the app
// draws. Same pattern as plotly.js's own lib/index-basic.js / lib/index-geo.js. Build: scripts/build_plotly_bundle.sh
'use strict';

var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/scatter'),
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/pie'),
    require('plotly.js/lib/choropleth'),
    require('plotly.js/lib/locales/ru'),  // chart controls in Russian
    require('./plotly-locale-kk.js'),  // and in Kazakh (plotly.js ships no Kazakh locale: ours)
]);

module.exports = Plotly;
