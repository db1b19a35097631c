"""The dashboard-only UI entries of the string catalogue.

:mod:`layers.i18n` merges :data:`DASHBOARD_CATALOGUE` into its one
:data:`~layers.i18n.CATALOGUE`; use them through :func:`layers.i18n.t`.
"""
from __future__ import annotations

from typing import Final

__all__ = ["DASHBOARD_CATALOGUE"]

DASHBOARD_CATALOGUE: Final[dict[str, dict[str, str]]] = {  # {key: {language: text}}
    # --- layout (H5): the texts inside Dash 4 dropdowns (dcc.Dropdown ``labels``; {num_selected} filled by Dash)
    "dropdown_search": {"zh": "搜索", "en": "Search"},
    "dropdown_clear_search": {"zh": "清除搜索", "en": "Clear search"},
    "dropdown_select_all": {"zh": "全选", "en": "Select all"},
    "dropdown_deselect_all": {"zh": "全不选", "en": "Deselect all"},
    "dropdown_selected_count": {"zh": "已选 {num_selected} 项", "en": "{num_selected} selected"},
    "dropdown_clear_selection": {"zh": "清除选择", "en": "Clear selection"},
    "dropdown_no_options": {"zh": "没有匹配的选项", "en": "No options found"},
    # --- layout: the texts of the paged, sortable tables (AG Grid ``localeText``; by its keys, with ``grid_``)
    "grid_page": {"zh": "第", "en": "Page"},
    "grid_of": {"zh": "/", "en": "of"},
    "grid_to": {"zh": "至", "en": "to"},
    "grid_more": {"zh": "更多", "en": "more"},
    "grid_firstPage": {"zh": "首页", "en": "First page"},
    "grid_previousPage": {"zh": "上一页", "en": "Previous page"},
    "grid_nextPage": {"zh": "下一页", "en": "Next page"},
    "grid_lastPage": {"zh": "末页", "en": "Last page"},
    "grid_pageSizeSelectorLabel": {"zh": "每页行数：", "en": "Rows per page:"},
    "grid_noRowsToShow": {"zh": "没有可显示的行", "en": "No rows to show"},
    "grid_loadingOoo": {"zh": "加载中…", "en": "Loading…"},
    "grid_filterOoo": {"zh": "筛选…", "en": "Filter…"},
    "grid_contains": {"zh": "包含", "en": "Contains"},
    "grid_notContains": {"zh": "不包含", "en": "Does not contain"},
    "grid_equals": {"zh": "等于", "en": "Equals"},
    "grid_notEqual": {"zh": "不等于", "en": "Does not equal"},
    "grid_startsWith": {"zh": "开头是", "en": "Begins with"},
    "grid_endsWith": {"zh": "结尾是", "en": "Ends with"},
    "grid_blank": {"zh": "为空", "en": "Blank"},
    "grid_notBlank": {"zh": "不为空", "en": "Not blank"},
    "grid_lessThan": {"zh": "小于", "en": "Less than"},
    "grid_greaterThan": {"zh": "大于", "en": "Greater than"},
    "grid_lessThanOrEqual": {"zh": "小于等于", "en": "Less than or equal to"},
    "grid_greaterThanOrEqual": {"zh": "大于等于", "en": "Greater than or equal to"},
    "grid_inRange": {"zh": "介于", "en": "Between"},
    "grid_andCondition": {"zh": "且", "en": "AND"},
    "grid_orCondition": {"zh": "或", "en": "OR"},
    "grid_ariaPageSizeSelectorLabel": {"zh": "每页行数", "en": "Page size"},
    "grid_sortAscending": {"zh": "升序", "en": "Sort ascending"},
    "grid_sortDescending": {"zh": "降序", "en": "Sort descending"},
    "grid_sortUnSort": {"zh": "取消排序", "en": "Clear sort"},
    "grid_columnFilter": {"zh": "列筛选", "en": "Column filter"},
    # --- scenarios kept (H3): where scenarios are saved, Save, upload checks
    "sc_saved_at": {"zh": "已保存到本浏览器 · {time}", "en": "Saved in this browser · {time}"},
    "sc_saved_none": {"zh": "尚未保存到本浏览器", "en": "Not yet saved in this browser"},
    "sc_kept_note": {"zh": "方案自动保存在本浏览器中（所有标签页共用，关闭浏览器后仍在）；清除浏览器数据会删除它们。换电脑或备份请用“保存”下载文件，再用“载入”上传。",
                     "en": "Scenarios are saved automatically in this browser (shared by its tabs, kept after closing it); clearing the browser's data deletes them. To back up or move them, Save a file and load it elsewhere."},
    "btn_save_scenarios": {"zh": "保存（下载全部方案）", "en": "Save (download all scenarios)"},
    "sc_saved_file": {"zh": "方案", "en": "scenarios"},
    "sc_up_not_json": {"zh": "{file}：不是 JSON 方案文件。", "en": "{file}: not a JSON scenario file."},
    "sc_up_not_utf8": {"zh": "{file}：不是 UTF-8 编码的文本文件；请用本工具下载的方案 JSON 文件。", "en": "{file}: not a UTF-8 text file; use a scenario JSON file downloaded from this tool."},
    "sc_up_bad_json": {"zh": "{file}：JSON 格式错误（第 {line} 行第 {col} 列）；请用本工具下载的方案文件。", "en": "{file}: the JSON is malformed (line {line}, column {col}); use a scenario file downloaded from this tool."},
    "sc_up_too_big": {"zh": "{file}：文件超过 {limit} 字节；方案文件通常只有几 KB。", "en": "{file}: the file is larger than {limit} bytes; a scenario file is a few KB."},
    "sc_up_shape": {"zh": "{file}：不是方案文件：应含方案名称 name 和措施列表 actions。", "en": "{file}: not a scenario file: it needs a name and a list of actions."},
    "sc_up_no_type": {"zh": "{file}：第 {n} 项措施缺少措施类型（type）。", "en": "{file}: action {n} has no type."},
    "sc_up_refused": {"zh": "未载入 {file}：{problem}", "en": "{file} not loaded: {problem}"},
    "sc_up_schools_hint": {"zh": "本区域的学校有：{schools}。", "en": "This region's schools are: {schools}."},
    "sc_up_more": {"zh": "等 {n} 所", "en": "and {n} more"},
    "sc_up_site_outside": {"zh": "第 {n} 项措施：新校位置（经度 {lon}，纬度 {lat}）在本区域之外（东经 {minx}–{maxx}，北纬 {miny}–{maxy}）；请在区域内选址。",
                           "en": "Action {n}: the new school's site (lon {lon}, lat {lat}) lies outside this region ({minx}–{maxx} E, {miny}–{maxy} N); pick a site inside it."},
    # --- indicators page (H4): CV table with limits, failing CVs by name, each school's failing reason
    "ind_level_line": {"zh": "{level}：{schools} 所学校（含九年一贯制拆分），达标 {passed} 所、未达标 {failed} 所；{in_cv} 所计入差异系数。", "en": "{level}: {schools} schools (nine-year schools split), {passed} pass, {failed} fail; {in_cv} count in the CV."},
    "ind_cv_fail_line": {"zh": "差异系数未达标：{items}", "en": "CVs over their limits: {items}"},
    "ind_cv_ok_line": {"zh": "差异系数全部达标（小学 ≤ {primary}，初中 ≤ {junior}）。", "en": "All CVs within their limits (primary ≤ {primary}, junior ≤ {junior})."},
    "ind_cv_na_line": {"zh": "部分差异系数无法计算（该学段计入的学校少于 2 所或无数据）。", "en": "Some CVs cannot be computed (fewer than 2 schools of the level count, or no data)."},
    "ind_cv_table": {"zh": "各指标差异系数与限值", "en": "CV of each indicator and its limit"},
    "ind_col_reason": {"zh": "未达标原因", "en": "Why it fails"},
    "ind_rule_note": {"zh": "学校达标规则：7 项指标中至少 {min_met} 项达标，其余每项不低于标准的 {floor} %（{source}）。", "en": "School pass rule: at least {min_met} of the 7 indicators met and each other one at least {floor} % of its standard ({source})."},
    # --- maps (legends, tooltips of the access and scenario maps)
    "legend_unplaced": {"zh": "有未安置儿童的村", "en": "Villages with unplaced children"},
    "hover_unplaced": {"zh": "未安置儿童：{n} 人", "en": "Unplaced children: {n}"},
    "legend_iso_band": {"zh": "步行 {m} 分钟可达", "en": "Within {m} min walk"},
    "legend_catchment_of": {"zh": "服务范围：{school}", "en": "Catchment: {school}"},
    "legend_selected": {"zh": "当前选中", "en": "Selected"},
    "legend_more": {"zh": "另有 {n} 所学校", "en": "{n} more schools"},
}
