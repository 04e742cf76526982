/* The compare mode's table (layouts/compare.py): a column heading's button sorts the rows by that column
   (numbers by their data-value; "not listed" last), a second click reverses; aria-sort says the order. */
(function () {
    'use strict';
    function key(row, col, numeric) {
        const cell = row.children[col];
        const raw = cell ? cell.getAttribute('data-value') : '';
        if (!numeric) { return raw || ''; }
        return raw === '' || raw === null ? null : parseFloat(raw);
    }
    function sortBy(button) {
        const th = button.closest('th');
        const table = button.closest('table');
        const body = table && table.tBodies[0];
        if (!th || !body) { return; }
        const col = parseInt(button.getAttribute('data-col'), 10);
        const numeric = button.getAttribute('data-numeric') === '1';
        const was = th.getAttribute('aria-sort');
        // numbers open largest first, names A to Z; a second click reverses
        const order = was ? (was === 'descending' ? 'ascending' : 'descending') : (numeric ? 'descending' : 'ascending');
        const sign = order === 'ascending' ? 1 : -1;
        const rows = Array.from(body.rows);
        rows.sort(function (a, b) {
            const x = key(a, col, numeric), y = key(b, col, numeric);
            if (x === null || y === null) { return (x === null) - (y === null); }  // not listed: last
            if (numeric) { return sign * (x - y); }
            return sign * x.localeCompare(y, document.documentElement.lang || undefined);
        });
        rows.forEach(function (r) { body.appendChild(r); });
        table.querySelectorAll('thead th').forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', order);
    }
    document.addEventListener('click', function (event) {
        const button = event.target.closest && event.target.closest('button.compare-sort');
        if (button) { sortBy(button); }
    });
}());
