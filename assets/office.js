/* The briefing kit in the browser (layouts/office.py, dashboard/office_web.py).
 *
 * Each chart is drawn off-screen to PNG with the page's own plotly.js (as the explorer's PNG export is), from
 * the figure the server sends; the PNGs are posted back and the server builds the file, rebuilding every word
 * from the data. "Add to deck" keeps {query, chart, png} in this tab's sessionStorage (nothing on the server);
 * "Download deck (N)" posts them all at once. What it says comes translated in the controls' data-messages.
 */
(function () {
    'use strict';
    var DECK_KEY = 'mtm-deck';
    var MAX_ITEMS = 20;

    function messages(el) {
        try { return JSON.parse((el && el.getAttribute('data-messages')) || '{}'); } catch (e) { return {}; }
    }
    function say(box, text) { if (box) { box.textContent = text; } }
    function fill(text, key, value) { return String(text || '').split('{' + key + '}').join(String(value)); }

    async function drawPng(figure, spec) {
        var div = document.createElement('div');
        div.style.position = 'fixed'; div.style.left = '-10000px'; div.style.top = '0';
        div.style.width = spec.width + 'px'; div.style.height = spec.height + 'px';
        document.body.appendChild(div);
        try {
            await window.Plotly.newPlot(div, figure.data, figure.layout,
                {staticPlot: true, topojsonURL: spec.topojsonURL});
            return await window.Plotly.toImage(div,
                {format: 'png', width: spec.width, height: spec.height, scale: spec.scale || 1});
        } finally {
            window.Plotly.purge(div); div.remove();
        }
    }
    async function getJson(url) {
        var r = await fetch(url, {credentials: 'same-origin'});
        if (!r.ok) { throw new Error(await r.text()); }
        return r.json();
    }
    async function postFile(url, body) {
        var r = await fetch(url, {
            method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)
        });
        if (!r.ok) { throw new Error(await r.text()); }
        var m = /filename="([^"]+)"/.exec(r.headers.get('Content-Disposition') || '');
        return {blob: await r.blob(), name: m ? m[1] : 'mtm.pptx'};
    }
    function save(file) {
        var a = document.createElement('a');
        a.href = URL.createObjectURL(file.blob); a.download = file.name;
        document.body.appendChild(a); a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 2000);
        return file.name;
    }

    // -- the explorer: one slide, or charts collected into a deck ------------------------------------------
    function deck() {
        try { var d = JSON.parse(window.sessionStorage.getItem(DECK_KEY) || '[]'); return Array.isArray(d) ? d : []; }
        catch (e) { return []; }
    }
    function refresh() {
        var bar = document.getElementById('deck-bar');
        if (!bar) { return; }
        var n = deck().length, m = messages(bar);
        var btn = document.getElementById('deck-download'), clear = document.getElementById('deck-clear');
        var label = fill(m.download, 'n', n);
        if (btn && btn.textContent !== label) { btn.textContent = label; }
        if (btn) { btn.disabled = n === 0; }
        if (clear) { clear.disabled = n === 0; }
        bar.setAttribute('data-count', String(n));
    }
    async function explorerChart(chart, action) {
        var bar = document.getElementById('deck-bar'), m = messages(bar);
        var status = document.getElementById('export-status');
        if (action === 'add' && deck().length >= MAX_ITEMS) { say(status, m.full); return; }
        say(status, m.working);
        try {
            var spec = await getJson('/export/slide-figure?' +
                new URLSearchParams({view: window.location.search, chart: chart}));
            var item = {query: spec.query, chart: chart, png: await drawPng(spec.figure, spec)};
            if (action === 'slide') {
                say(status, fill(m.downloaded, 'file', save(await postFile('/export/deck', {items: [item]}))));
                return;
            }
            var items = deck();
            items.push(item);
            try { window.sessionStorage.setItem(DECK_KEY, JSON.stringify(items)); }
            catch (e) { say(status, m.storage_full); return; }
            refresh();
            say(status, fill(m.added, 'n', items.length));
        } catch (err) {
            say(status, fill(m.failed, 'error', err && err.message ? err.message : err));
        }
    }
    async function downloadDeck() {
        var m = messages(document.getElementById('deck-bar'));
        var status = document.getElementById('export-status');
        say(status, m.working);
        try {
            say(status, fill(m.downloaded, 'file', save(await postFile('/export/deck', {items: deck()}))));
        } catch (err) {
            say(status, fill(m.failed, 'error', err && err.message ? err.message : err));
        }
    }

    // -- the briefing: the whole quarter as a deck or a Word file ------------------------------------------
    async function briefingFile(box, format) {
        var m = messages(box), status = document.getElementById('briefing-office-status');
        var release = new URLSearchParams(window.location.search).get('release') || '';
        var args = {period: box.getAttribute('data-period'), lang: box.getAttribute('data-lang'), release: release};
        say(status, m.working);
        try {
            var spec = await getJson('/briefing/slide-figures?' + new URLSearchParams(args));
            say(status, fill(m.drawing, 'n', spec.charts.length));
            var images = {};
            for (var i = 0; i < spec.charts.length; i++) {
                images[spec.charts[i].key] = await drawPng(spec.charts[i].figure, spec);
            }
            var body = Object.assign({format: format, images: images}, args);
            say(status, fill(m.downloaded, 'file', save(await postFile('/briefing/file', body))));
        } catch (err) {
            say(status, fill(m.failed, 'error', err && err.message ? err.message : err));
        }
    }

    document.addEventListener('click', function (ev) {
        var t = ev.target && ev.target.closest ? ev.target.closest('[id], [data-format]') : null;
        if (!t) { return; }
        var id = t.id || '';
        if (id.indexOf('export-slide-') === 0) { explorerChart(id.slice('export-slide-'.length), 'slide'); }
        else if (id.indexOf('deck-add-') === 0) { explorerChart(id.slice('deck-add-'.length), 'add'); }
        else if (id === 'deck-download') { downloadDeck(); }
        else if (id === 'deck-clear') {
            window.sessionStorage.removeItem(DECK_KEY); refresh();
            say(document.getElementById('export-status'), messages(document.getElementById('deck-bar')).cleared);
        } else if (t.hasAttribute('data-format') && t.closest('#briefing-office')) {
            briefingFile(t.closest('#briefing-office'), t.getAttribute('data-format'));
        }
    });
    // Dash draws the page after load and on every navigation: keep the deck's count in step with it.
    new MutationObserver(function () {
        var bar = document.getElementById('deck-bar');
        if (bar && bar.getAttribute('data-count') !== String(deck().length)) { refresh(); }
    }).observe(document.documentElement, {childList: true, subtree: true});
})();
