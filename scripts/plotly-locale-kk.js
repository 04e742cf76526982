// Kazakh locale for plotly.js, which ships none: the mode-bar and hover texts this app shows, translated here;
// month and day names copied from CLDR (Babel: babel.dates.get_month_names / get_day_names, locale "kk").
// Bundled into assets/vendor/plotly-mtm.min.js by scripts/build_plotly_bundle.sh (entry: plotly-partial.js).
'use strict';

module.exports = {
    "moduleType": "locale",
    "name": "kk",
    "dictionary": {
        "Autoscale": "Автомасштаб",
        "Box Select": "Тіктөртбұрышпен таңдау",
        "Compare data on hover": "Меңзегенде деректерді салыстыру",
        "Double-click on legend to isolate one trace": "Бір қатарды бөліп көрсету үшін шартты белгілерді екі рет басыңыз",
        "Double-click to zoom back out": "Бастапқы масштабқа оралу үшін екі рет басыңыз",
        "Download plot": "Диаграмманы жүктеп алу",
        "Download plot as a PNG": "Диаграмманы PNG ретінде жүктеп алу",
        "Lasso Select": "Еркін пішінмен таңдау",
        "Pan": "Жылжыту",
        "Produced with Plotly.js": "Plotly.js көмегімен жасалған",
        "Reset": "Қалпына келтіру",
        "Reset axes": "Осьтерді қалпына келтіру",
        "Reset view": "Көріністі қалпына келтіру",
        "Reset views": "Көріністерді қалпына келтіру",
        "Show closest data on hover": "Меңзегенде ең жақын деректерді көрсету",
        "Image download succeeded": "Сурет жүктеп алынды",
        "Sorry, there was a problem downloading your image!": "Кешіріңіз, суретті жүктеп алу кезінде қате шықты!",
        "Preparing image - this may take a few seconds": "Сурет дайындалуда - бұл бірнеше секунд алуы мүмкін",
        "Toggle Spike Lines": "Көмекші сызықтарды қосу/өшіру",
        "Toggle show closest data on hover": "Меңзегенде ең жақын деректерді көрсетуді қосу/өшіру",
        "Zoom": "Масштаб",
        "Zoom in": "Үлкейту",
        "Zoom out": "Кішірейту",
        "lat:": "ендік:",
        "lon:": "бойлық:",
        "trace": "қатар"
    },
    "format": {
        "days": [
            "жексенбі",
            "дүйсенбі",
            "сейсенбі",
            "сәрсенбі",
            "бейсенбі",
            "жұма",
            "сенбі"
        ],
        "shortDays": [
            "жс",
            "дс",
            "сс",
            "ср",
            "бс",
            "жм",
            "сб"
        ],
        "months": [
            "Қаңтар",
            "Ақпан",
            "Наурыз",
            "Сәуір",
            "Мамыр",
            "Маусым",
            "Шілде",
            "Тамыз",
            "Қыркүйек",
            "Қазан",
            "Қараша",
            "Желтоқсан"
        ],
        "shortMonths": [
            "қаң.",
            "ақп.",
            "нау.",
            "сәу.",
            "мам.",
            "мау.",
            "шіл.",
            "там.",
            "қыр.",
            "қаз.",
            "қар.",
            "жел."
        ],
        "date": "%d.%m.%Y",
        "decimal": ",",
        "thousands": " "
    }
};
