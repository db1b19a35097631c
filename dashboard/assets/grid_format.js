// Junheng: the functions the dashboard's tables (AG Grid, dashboard/layout/common.py `grid`) name in their column
// definitions, as dash-ag-grid asks (window.dashAgGridFunctions).  Numbers keep their value for sorting and are
// shown with thousands separators and a fixed number of decimals; a missing value shows "—", a text as it is.
(function () {
  var funcs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});
  funcs.junhengNumber = function (value, digits) {
    if (typeof value === "string") return value;
    if (value === null || value === undefined || value !== value) return "\u2014";
    return Number(value).toLocaleString("en-US", {minimumFractionDigits: digits, maximumFractionDigits: digits});
  };
})();

// A grid drawn while its tab was hidden measured its wrapped rows at zero width: when a tab is shown, the grids on
// it measure their rows again (by id, through dash-ag-grid's API).
(function () {
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest(".tab")) return;
    setTimeout(function () {
      var api = window.dash_ag_grid;
      if (!api || !api.getApi) return;
      document.querySelectorAll(".grid[id]").forEach(function (el) {
        if (el.offsetParent === null) return;
        try { var grid = api.getApi(el.id); if (grid) { grid.sizeColumnsToFit(); grid.resetRowHeights(); } } catch (e) { /* not drawn yet */ }
      });
    }, 50);
  }, true);
})();
