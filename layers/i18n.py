"""The string catalogue: every UI and report string, Simplified Chinese (default) and English.

Policy figures shown in the UI carry the document they come from.
"""
from __future__ import annotations

import re
from typing import Final, Mapping

from layers.catalogue_dashboard import DASHBOARD_CATALOGUE
from layers.catalogue_import import IMPORT_CATALOGUE
from layers.catalogue_messages import MESSAGES_CATALOGUE

DEFAULT_LANG: Final = "zh"
LANGS: Final = ("zh", "en")

CATALOGUE: Final[dict[str, dict[str, str]]] = {
    "app_title": {"zh": "均衡 · 义务教育学校布局规划", "en": "Junheng · school network planning"},
    "region": {"zh": "区域", "en": "Region"},
    "demo_data": {"zh": "演示数据", "en": "demo data"},
    "demo_note": {"zh": "演示数据：村庄学龄人口与学校在校生、学位、床位、教师数为按固定种子生成的合成数据，道路与位置来自 OpenStreetMap。", "en": "Demo data: village children and school enrolment, seats, beds and teachers are synthetic (seeded); roads and locations are from OpenStreetMap."},
    "demo_note_invented": {"zh": "演示数据：本区域为虚构县，道路、村庄、学校及其学生、学位、教师数均为按固定种子生成的合成数据（不含 OpenStreetMap 数据）。", "en": "Demo data: an invented county; its roads, villages, schools and their pupils, seats and teachers are synthetic (seeded; no OpenStreetMap data)."},
    "attribution": {"zh": "© OpenStreetMap contributors", "en": "© OpenStreetMap contributors"},
    "language": {"zh": "语言", "en": "Language"},
    "level": {"zh": "学段", "en": "School level"},
    "level_primary": {"zh": "小学", "en": "Primary"},
    "level_junior": {"zh": "初中", "en": "Junior secondary"},
    "level_nine_year": {"zh": "九年一贯制", "en": "Nine-year"},
    "mode": {"zh": "出行方式", "en": "Travel mode"},
    "mode_walk": {"zh": "步行", "en": "Walk"},
    "mode_bicycle": {"zh": "自行车", "en": "Bicycle"},
    "mode_bus": {"zh": "校车", "en": "School bus"},
    "mode_car": {"zh": "小汽车", "en": "Car"},
    "band": {"zh": "年级段", "en": "Grade band"},
    "band_all": {"zh": "全部年级", "en": "All grades"},
    "band_g1_3": {"zh": "1–3 年级", "en": "Grades 1–3"},
    "band_g4_6": {"zh": "4–6 年级", "en": "Grades 4–6"},
    "band_g7_9": {"zh": "7–9 年级", "en": "Grades 7–9"},
    "threshold": {"zh": "时间上限（分钟）", "en": "Time limit (minutes)"},
    "threshold_source": {"zh": "1–3 年级单程原则上不超过半小时（国办发〔2018〕27号）", "en": "Grades 1–3: one-way trip of about half an hour at most (国办发〔2018〕27号)"},
    "threshold_invalid": {"zh": "请输入 1 到 240 之间的分钟数（收到：{value}）。", "en": "Enter a number of minutes from 1 to 240 (got: {value})."},
    "kpi_within": {"zh": "{threshold:g} 分钟内可达学生占比", "en": "Children within {threshold:g} min"},
    "kpi_mean": {"zh": "平均用时（分钟）", "en": "Mean trip (min)"},
    "kpi_p95": {"zh": "95% 分位用时（分钟）", "en": "95th percentile (min)"},
    "kpi_villages_beyond": {"zh": "超限村庄数", "en": "Villages beyond limit"},
    "kpi_children_beyond": {"zh": "超限学生数", "en": "Children beyond limit"},
    "kpi_children_of": {"zh": "共 {children:,} 名学龄儿童", "en": "of {children:,} children"},
    "worst_title": {"zh": "服务最差的村庄", "en": "Worst-served villages"},
    "col_village": {"zh": "村庄", "en": "Village"},
    "col_district": {"zh": "教区", "en": "Parish"},
    "col_children": {"zh": "学龄儿童", "en": "Children"},
    "col_school": {"zh": "最近学校", "en": "Nearest school"},
    "col_minutes": {"zh": "用时（分钟）", "en": "Minutes"},
    "col_level": {"zh": "学段", "en": "Level"},
    "col_rank": {"zh": "序", "en": "#"},
    "col_name": {"zh": "名称", "en": "Name"},
    "col_enrolment": {"zh": "在校生", "en": "Enrolment"},
    "col_seats": {"zh": "学位", "en": "Seats"},
    "far_snap": {"zh": "距道路 {m:,.0f} 米，位置需核实", "en": "{m:,.0f} m from the nearest road: check the location"},
    "no_school": {"zh": "无可达学校", "en": "no reachable school"},
    "detail_hint": {"zh": "点击地图上的村庄查看最近的三所学校和路线；点击学校查看其服务范围。", "en": "Click a village on the map for its three nearest schools and the route; click a school for its catchment."},
    "detail_village": {"zh": "{name}：最近的三所学校（{mode}）", "en": "{name}: three nearest schools ({mode})"},
    "detail_school": {"zh": "{name}（{level}）服务范围", "en": "{name} ({level}) catchment"},
    "detail_catchment": {"zh": "{villages} 个村庄、{children:,} 名学生以本校为最近学校；在校生 {enrolment:,}，学位 {seats:,}。", "en": "{villages} villages with {children:,} children have this as their nearest school; enrolment {enrolment:,}, seats {seats:,}."},
    "route": {"zh": "路线", "en": "Route"},
    "legend_minutes": {"zh": "用时（分钟）", "en": "Minutes"},
    "legend_schools": {"zh": "学校", "en": "Schools"},
    "legend_villages": {"zh": "村庄", "en": "Villages"},
    "legend_roads": {"zh": "道路", "en": "Roads"},
    "legend_districts": {"zh": "教区界", "en": "Parish boundaries"},
    "legend_catchment": {"zh": "服务范围", "en": "Catchment"},
    "hover_minutes": {"zh": "用时", "en": "Minutes"},
    "hover_children": {"zh": "学龄儿童", "en": "Children"},
    "hover_enrolment": {"zh": "在校生", "en": "Enrolment"},
    "loading": {"zh": "正在计算出行时间（首次运行需建立缓存）…", "en": "Computing travel times (the first run builds the cache)…"},
    "error": {"zh": "出错了：{message}", "en": "Something went wrong: {message}"},
    "minutes_unit": {"zh": "分钟", "en": "min"},
    # --- tabs
    "tab_access": {"zh": "通学可达性", "en": "Access to school"},
    "tab_scenarios": {"zh": "布局调整方案", "en": "Consolidation scenarios"},
    # --- scenario manager
    "scenario": {"zh": "方案", "en": "Scenario"},
    "scenario_name": {"zh": "方案名称", "en": "Scenario name"},
    "scenario_default_name": {"zh": "方案{n}", "en": "Scenario {n}"},
    "btn_new": {"zh": "新建", "en": "New"},
    "btn_duplicate": {"zh": "复制", "en": "Duplicate"},
    "btn_delete": {"zh": "删除", "en": "Delete"},
    "btn_download_scenario": {"zh": "下载方案 JSON", "en": "Download scenario JSON"},
    "upload_scenario": {"zh": "拖入或选择方案 JSON 文件载入", "en": "Drop or choose a scenario JSON file to load"},
    "copy_suffix": {"zh": "（副本）", "en": " (copy)"},
    "compare_with": {"zh": "对比方案", "en": "Compare with"},
    # --- actions
    "actions": {"zh": "调整措施", "en": "Actions"},
    "action_type": {"zh": "措施", "en": "Action"},
    "action_close": {"zh": "撤销学校", "en": "Close school"},
    "action_merge": {"zh": "并入另一学校", "en": "Merge into another school"},
    "action_open": {"zh": "新建学校", "en": "Open a new school"},
    "action_expand": {"zh": "扩建（学位/床位）", "en": "Expand seats / beds"},
    "action_set_level": {"zh": "调整学段", "en": "Change level"},
    "field_school": {"zh": "学校", "en": "School"},
    "field_receiver": {"zh": "接收学校（可选）", "en": "Receiving school (optional)"},
    "field_into": {"zh": "并入学校", "en": "Merge into"},
    "field_level": {"zh": "学段", "en": "Level"},
    "field_seats": {"zh": "学位数", "en": "Seats"},
    "field_beds": {"zh": "床位数", "en": "Beds"},
    "field_add_seats": {"zh": "增加学位", "en": "Add seats"},
    "field_add_beds": {"zh": "增加床位", "en": "Add beds"},
    "field_lon": {"zh": "经度", "en": "Longitude"},
    "field_lat": {"zh": "纬度", "en": "Latitude"},
    "field_new_name": {"zh": "新校名称", "en": "New school name"},
    "site_hint": {"zh": "点击地图上任一位置（或村庄）设定新校位置。", "en": "Click anywhere on the map (or a village) to place the new school."},
    "btn_add_action": {"zh": "添加措施", "en": "Add action"},
    "btn_remove": {"zh": "移除", "en": "Remove"},
    "no_actions": {"zh": "尚无措施：在地图上点击学校，或在上方选择学校后添加措施。", "en": "No actions yet: click a school on the map or pick one above, then add an action."},
    "desc_close": {"zh": "撤销 {school}", "en": "Close {school}"},
    "desc_close_to": {"zh": "撤销 {school}，学生转入 {target}", "en": "Close {school}; pupils go to {target}"},
    "desc_merge": {"zh": "{school} 并入 {target}", "en": "Merge {school} into {target}"},
    "desc_open": {"zh": "新建{level} {name}（{seats} 学位，{beds} 床位）", "en": "Open {level} {name} ({seats} seats, {beds} beds)"},
    "desc_expand": {"zh": "{school} 增加 {seats} 学位、{beds} 床位", "en": "{school}: +{seats} seats, +{beds} beds"},
    "desc_set_level": {"zh": "{school} 改为{level}", "en": "{school} becomes {level}"},
    "action_invalid": {"zh": "措施不完整：{what}", "en": "Incomplete action: {what}"},
    # --- rules
    "rules": {"zh": "规则与阈值（可编辑）", "en": "Rules and thresholds (editable)"},
    "rule_walk": {"zh": "步行上限（分钟）", "en": "Walk limit (min)"},
    "rule_bus": {"zh": "校车单程上限（分钟）", "en": "Bus trip cap (min)"},
    "rule_board": {"zh": "可寄宿", "en": "May board"},
    "rule_size": {"zh": "学校规模上限（人）", "en": "School size cap"},
    "rule_class": {"zh": "班额上限（人）", "en": "Class size cap"},
    "rule_keep": {"zh": "保留现有学区（仍可行时）", "en": "Keep current catchments where feasible"},
    "rule_trip": {"zh": "单程总时间上限（分钟）", "en": "Whole trip cap (min)"},
    "rule_large_class": {"zh": "大班额起点（人/班）", "en": "Large class from (per class)"},
    "rule_super_large_class": {"zh": "超大班额起点（人/班）", "en": "Very large class from (per class)"},
    "rule_seats_hard": {"zh": "学位为硬约束（取消勾选：接收学校可超出学位，直至超大班额）", "en": "Seats are a hard limit (untick: receiving schools may exceed their seats, up to very large classes)"},
    "rule_small_school_label": {"zh": "小规模学校（不足人数）", "en": "Small school (under pupils)"},
    "rule_counts": {"zh": "班额与学校规模", "en": "Classes and school size"},
    "rule_sources": {"zh": "依据：1–3 年级原则上不寄宿、就近走读，路途时间一般不超过半小时；乡村小规模学校（不足 100 人）应留必留、先建后撤（国办发〔2018〕27号）；撤并须论证、公示、听证，多数家长反对的不得强行撤并（教育部办公厅《关于农村义务教育学校布局调整有关问题的通报》，2016 年 10 月）；学校规模小学、初中不超过 2000 人、九年一贯制不超过 2500 人，班额小学不超过 45 人、初中不超过 50 人（教督〔2017〕6号）；大班额 56 人以上、超大班额 66 人以上（国发〔2016〕40号）。4–9 年级单程上限、校车上限等其余数值为本地默认值，可调整。", "en": "Sources: grades 1–3 in principle do not board and go to a nearby school, a trip of about half an hour at most; small rural schools (under 100 pupils) are kept where needed, and new places are built before a school closes (国办发〔2018〕27号); closures need study, public notice and a hearing, and none is forced against a majority of parents (MoE General Office circular on rural school layout adjustment, October 2016); schools up to 2,000 pupils (nine-year 2,500), classes up to 45 (primary) and 50 (junior) (教督〔2017〕6号); large classes from 56 pupils and very large ones from 66 (国发〔2016〕40号). The trip caps of grades 4–9, the bus caps and the other values are local defaults you can edit."},
    "rules_invalid": {"zh": "规则有误：{message}", "en": "Invalid rules: {message}"},
    # --- results
    "map_view": {"zh": "地图显示", "en": "Map shows"},
    "view_baseline": {"zh": "现状", "en": "Baseline"},
    "view_scenario": {"zh": "方案", "en": "Scenario"},
    "view_difference": {"zh": "差值（方案−现状）", "en": "Difference (scenario − baseline)"},
    "legend_delta": {"zh": "用时变化（分钟）", "en": "Change (min)"},
    "legend_closed": {"zh": "撤销的学校", "en": "Closed schools"},
    "legend_new": {"zh": "新建学校", "en": "New schools"},
    "kpi_compare": {"zh": "指标对比", "en": "Indicators compared"},
    "kpi_col_indicator": {"zh": "指标", "en": "Indicator"},
    "kpi_share_within": {"zh": "{band} {threshold:g} 分钟内占比", "en": "{band} within {threshold:g} min"},
    "kpi_mean_band": {"zh": "{band} 平均用时（分钟）", "en": "{band} mean minutes"},
    "kpi_p95_band": {"zh": "{band} 95% 分位用时", "en": "{band} 95th percentile"},
    "kpi_schools_open": {"zh": "学校数", "en": "Schools"},
    "kpi_seat_utilisation": {"zh": "学位利用率", "en": "Seat utilisation"},
    "kpi_beds_needed": {"zh": "需寄宿学生（床位需求）", "en": "Boarders (beds needed)"},
    "kpi_beds": {"zh": "床位总数", "en": "Beds available"},
    "kpi_bus_riders": {"zh": "乘校车学生", "en": "Bus riders"},
    "kpi_walkers": {"zh": "步行学生", "en": "Walkers"},
    "kpi_unassigned": {"zh": "无法安置学生", "en": "Children not placed"},
    "violations": {"zh": "撤并核查", "en": "Consolidation checks"},
    "no_violations": {"zh": "未发现违反规则的情况。", "en": "No rule is broken."},
    "rule_build_before_close": {"zh": "先建后撤", "en": "Build before closing"},
    "rule_trip_cap": {"zh": "单程时间超限", "en": "Trip too long"},
    "rule_small_school": {"zh": "撤并乡村小规模学校", "en": "Small rural school closed"},
    "rule_trip_worse": {"zh": "上下学明显不便", "en": "Trip much longer"},
    "rule_trip_worse_label": {"zh": "路程变远提示阈值（分钟）", "en": "Trip made longer by more than (min)"},
    "rule_school_size": {"zh": "学校规模超限", "en": "School too large"},
    "rule_class_size": {"zh": "班额超限", "en": "Classes too large"},
    "rule_unplaced": {"zh": "学生无法安置", "en": "Children not placed"},
    "impact": {"zh": "受影响村庄（公示/听证）", "en": "Villages affected (for hearings)"},
    "impact_none": {"zh": "该方案不影响任何学生。", "en": "This scenario affects no child."},
    "btn_download_impact": {"zh": "下载影响表 CSV", "en": "Download impact table CSV"},
    "col_band": {"zh": "年级段", "en": "Band"},
    "col_affected": {"zh": "受影响学生", "en": "Children affected"},
    "col_school_before": {"zh": "原学校", "en": "School before"},
    "col_school_after": {"zh": "新学校", "en": "School after"},
    "col_minutes_before": {"zh": "原用时", "en": "Minutes before"},
    "col_minutes_after": {"zh": "新用时", "en": "Minutes after"},
    "col_mode_before": {"zh": "原方式", "en": "Mode before"},
    "col_mode_after": {"zh": "新方式", "en": "Mode after"},
    "mode_board": {"zh": "寄宿", "en": "Board"},
    "school_capacity": {"zh": "学校容量", "en": "School capacity"},
    "col_seats_used": {"zh": "已用学位", "en": "Seats used"},
    "col_beds_used": {"zh": "已用床位", "en": "Beds used"},
    "col_riders": {"zh": "乘车", "en": "Riders"},
    "col_status": {"zh": "状态", "en": "Status"},
    "status_open": {"zh": "开办", "en": "open"},
    "status_closed": {"zh": "撤销", "en": "closed"},
    "status_new": {"zh": "新建", "en": "new"},
    # --- layer and table exports (geo.export.files)
    "sheet_villages": {"zh": "村庄", "en": "Villages"},
    "sheet_school_list": {"zh": "学校", "en": "Schools"},
    "sheet_assignments": {"zh": "学生分配", "en": "Assignments"},
    "sheet_impact": {"zh": "受影响村庄", "en": "Villages affected"},
    "sheet_unassigned": {"zh": "无法安置", "en": "Not placed"},
    "sheet_violations": {"zh": "撤并核查", "en": "Checks"},
    "col_village_id": {"zh": "村庄代码", "en": "Village id"},
    "col_children_band": {"zh": "学龄儿童（{band}）", "en": "Children ({band})"},
    "col_within": {"zh": "{threshold:g} 分钟内", "en": "Within {threshold:g} min"},
    "col_snap_m": {"zh": "距道路（米）", "en": "Distance to road (m)"},
    "col_far_snap": {"zh": "位置需核实", "en": "Check location"},
    "col_teachers": {"zh": "教师", "en": "Teachers"},
    "col_walkers": {"zh": "步行", "en": "Walkers"},
    "col_boarders": {"zh": "寄宿", "en": "Boarders"},
    "col_reason": {"zh": "原因", "en": "Reason"},
    "col_cv": {"zh": "差异系数", "en": "CV"},
    "col_cv_pass": {"zh": "是否达标", "en": "Within limit"},
    # --- exports
    "export_map": {"zh": "导出地图", "en": "Export map"},
    "export_layers": {"zh": "下载图层与表格", "en": "Download layers and tables"},
    "export_report": {"zh": "方案报告 PDF", "en": "Scenario report PDF"},
    "fmt_png_a4": {"zh": "PNG · A4 横向 300dpi", "en": "PNG · A4 landscape 300 dpi"},
    "fmt_png_a3": {"zh": "PNG · A3 横向 300dpi", "en": "PNG · A3 landscape 300 dpi"},
    "fmt_pdf_a4": {"zh": "PDF · A4 横向", "en": "PDF · A4 landscape"},
    "fmt_pdf_a3": {"zh": "PDF · A3 横向", "en": "PDF · A3 landscape"},
    "fmt_svg_a4": {"zh": "SVG · A4 横向", "en": "SVG · A4 landscape"},
    "fmt_geojson": {"zh": "GeoJSON（村庄及结果）", "en": "GeoJSON (villages with results)"},
    "fmt_gpkg": {"zh": "GeoPackage（全部图层）", "en": "GeoPackage (all layers)"},
    "fmt_xlsx": {"zh": "Excel 表格（XLSX）", "en": "Excel workbook (XLSX)"},
    "fmt_csv": {"zh": "CSV 表格（ZIP，带 BOM）", "en": "CSV tables (ZIP, with BOM)"},
    "export_failed": {"zh": "导出失败：{message}", "en": "Export failed: {message}"},
    "overlay": {"zh": "叠加图层", "en": "Overlay"},
    "overlay_catchments": {"zh": "学校服务范围", "en": "School catchments"},
    "overlay_iso": {"zh": "步行等时圈（15/30/45 分钟）", "en": "Walking isochrones (15/30/45 min)"},
    # --- import tab
    "tab_import": {"zh": "导入数据", "en": "Import data"},
    "imp_title": {"zh": "导入本县的学校或村庄数据", "en": "Import your county's schools or villages"},
    "imp_kind": {"zh": "数据类型", "en": "Layer"},
    "imp_kind_schools": {"zh": "学校", "en": "Schools"},
    "imp_kind_villages": {"zh": "村庄", "en": "Villages"},
    "imp_upload": {"zh": "拖入或选择文件：Excel（XLSX）、CSV、GeoJSON、GeoPackage 或压缩的 Shapefile（ZIP），不超过 50 MB", "en": "Drop or choose a file: Excel (XLSX), CSV, GeoJSON, GeoPackage or a zipped Shapefile (ZIP), up to 50 MB"},
    "imp_file": {"zh": "文件：{name}", "en": "File: {name}"},
    "imp_layer": {"zh": "图层 / 工作表", "en": "Layer / sheet"},
    "imp_encoding": {"zh": "文字编码", "en": "Text encoding"},
    "imp_encoding_auto": {"zh": "自动识别", "en": "Detect"},
    "imp_coords": {"zh": "坐标系（表格文件）", "en": "Coordinates (tables)"},
    "imp_coords_wgs84": {"zh": "WGS-84（GPS）", "en": "WGS-84 (GPS)"},
    "imp_coords_gcj02": {"zh": "GCJ-02（高德、腾讯）", "en": "GCJ-02 (Amap, Tencent)"},
    "imp_coords_bd09": {"zh": "BD-09（百度）", "en": "BD-09 (Baidu)"},
    "imp_coords_cgcs2000": {"zh": "CGCS2000", "en": "CGCS2000"},
    "imp_swap": {"zh": "交换经纬度", "en": "Swap longitude and latitude"},
    "imp_swap_hint": {"zh": "多数点位在区域外，但交换经纬度后落在区域内：可能经纬度列填反了，勾选“交换经纬度”即可修正。", "en": "Most points fall outside the region but inside it when swapped: longitude and latitude look reversed; tick “Swap”."},
    "imp_mapping": {"zh": "字段对应（已自动识别，可修改）", "en": "Column mapping (detected; correct it if needed)"},
    "imp_ignore": {"zh": "（不导入）", "en": "(ignore)"},
    "imp_missing": {"zh": "缺少必需字段：{names}", "en": "Required columns missing: {names}"},
    "imp_check": {"zh": "检查并预览", "en": "Check and preview"},
    "imp_summary": {"zh": "{valid} 行可导入，{invalid} 行有问题（共 {problems} 处，见下表，问题行不会被导入）。", "en": "{valid} rows can be imported, {invalid} rows have problems ({problems} in all, listed below; those rows are not imported)."},
    "imp_all_ok": {"zh": "全部 {valid} 行检查通过。", "en": "All {valid} rows passed the checks."},
    "imp_notes": {"zh": "处理说明", "en": "Notes"},
    "imp_problems_download": {"zh": "下载问题清单 CSV", "en": "Download the problem list (CSV)"},
    "imp_save_name": {"zh": "保存为新区域（名称）", "en": "Save as a new region (name)"},
    "imp_save": {"zh": "保存区域", "en": "Save region"},
    "imp_saved": {"zh": "已保存区域“{name}”（基于当前区域的道路与其余图层）。在右上角的区域列表中选择它即可使用。", "en": "Saved region “{name}” (the current region's roads and other layers). Choose it in the region list at the top right."},
    "imp_save_needs_valid": {"zh": "没有可导入的行，无法保存。", "en": "No valid rows to save."},
    "imp_save_needs_name": {"zh": "请填写区域名称。", "en": "Enter a name for the region."},
    "imp_error": {"zh": "无法读取：{message}", "en": "Cannot read the file: {message}"},
    "imp_preview": {"zh": "预览", "en": "Preview"},
    # --- indicators tab (优质均衡, 教督〔2017〕6号)
    "tab_indicators": {"zh": "优质均衡指标", "en": "Balance indicators"},
    "ind_title": {"zh": "资源配置七项指标与校际差异系数（教督〔2017〕6号）", "en": "Seven resource indicators and between-school CV (教督〔2017〕6号)"},
    "ind_scenario": {"zh": "与现状对比的方案", "en": "Scenario compared with the baseline"},
    "ind_show": {"zh": "学校表显示", "en": "School table shows"},
    "ind_cv_chart": {"zh": "差异系数（虚线为限值）", "en": "Coefficient of variation (dashed: limit)"},
    "ind_ur_chart": {"zh": "城乡对比（占标准的比例）", "en": "Urban vs rural (share of the standard)"},
    "ind_urban": {"zh": "城镇", "en": "Urban"},
    "ind_rural": {"zh": "乡村", "en": "Rural"},
    "ind_limit": {"zh": "限值", "en": "Limit"},
    "ind_standard": {"zh": "标准", "en": "Standard"},
    "ind_summary": {"zh": "{level}：{schools} 所学校（含九年一贯制拆分），达标 {passed} 所；{in_cv} 所计入差异系数；差异系数{verdict}。", "en": "{level}: {schools} schools (nine-year schools split), {passed} pass; {in_cv} count in the CV; CVs {verdict}."},
    "ind_all_pass": {"zh": "全部达标", "en": "all within their limits"},
    "ind_some_fail": {"zh": "有未达标项", "en": "not all within their limits"},
    "ind_na": {"zh": "无法计算", "en": "cannot be computed"},
    "ind_met": {"zh": "达标", "en": "met"},
    "ind_not_met": {"zh": "未达标", "en": "not met"},
    "ind_passed": {"zh": "学校达标", "en": "School passes"},
    "ind_n_met": {"zh": "达标项数", "en": "Indicators met"},
    "ind_excluded": {"zh": "（教学点，不计入差异系数）", "en": " (teaching point, not in the CV)"},
    "ind_skipped": {"zh": "无在校生、未参与计算的学校：{names}", "en": "Schools without students, left out: {names}"},
    "ind_standards": {"zh": "标准与规则（可编辑）", "en": "Standards and rules (editable)"},
    "ind_rule_min_met": {"zh": "至少达标项数", "en": "Indicators that must be met"},
    "ind_rule_floor": {"zh": "其余项不低于标准的比例", "en": "Others at least this share of the standard"},
    "ind_rule_cv_primary": {"zh": "小学差异系数限值", "en": "Primary CV limit"},
    "ind_rule_cv_junior": {"zh": "初中差异系数限值", "en": "Junior CV limit"},
    "ind_rule_min_students": {"zh": "教学点人数（少于此数不计入差异系数）", "en": "Teaching points below this many students leave the CV"},
    "ind_rule_junior_weight": {"zh": "九年一贯制初中学生权重", "en": "Junior weight in nine-year schools"},
    "ind_rule_move_share": {"zh": "撤并时随学生转移的教师与设备比例", "en": "Share of teachers and equipment that move with pupils"},
    "ind_move_source": {"zh": "撤并规则（本地默认，可调整）：被撤学校的教师与教学仪器设备按其学生去向比例转入接收学校；校舍、场地与多媒体教室不转移。", "en": "Consolidation rule (local default, editable): a closed school's teachers and equipment follow its pupils to the receiving schools in proportion; buildings, grounds and multimedia rooms stay."},
    "ind_download": {"zh": "下载指标 XLSX", "en": "Download indicators XLSX"},
    "ind_missing": {"zh": "该区域的学校图层缺少优质均衡资源字段，无法计算：{message}", "en": "The region's schools layer lacks the resource columns: {message}"},
    "sheet_schools": {"zh": "学校指标", "en": "Schools"},
    "sheet_cv": {"zh": "差异系数", "en": "CV"},
    "sheet_urban_rural": {"zh": "城乡对比", "en": "Urban-rural"},
    "col_indicator_value": {"zh": "{label}", "en": "{label}"},
    "col_cv_baseline": {"zh": "现状差异系数", "en": "CV baseline"},
    "col_cv_scenario": {"zh": "方案差异系数", "en": "CV scenario"},
    "col_limit": {"zh": "限值", "en": "Limit"},
    "col_pass_baseline": {"zh": "现状是否达标", "en": "Baseline within limit"},
    "col_pass_scenario": {"zh": "方案是否达标", "en": "Scenario within limit"},
    "col_urban": {"zh": "城镇", "en": "Urban"},
    "col_rural": {"zh": "乡村", "en": "Rural"},
    "col_ratio": {"zh": "乡村/城镇", "en": "Rural / urban"},
    "col_school_id": {"zh": "学校代码", "en": "School id"},
    "col_part": {"zh": "学段部分", "en": "Level part"},
    "col_students": {"zh": "在校生数", "en": "Students"},
    "col_urban_rural": {"zh": "城乡", "en": "Urban/rural"},
    "col_source": {"zh": "依据", "en": "Source"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    # Header of the import problems CSV (layers.importing.ImportResult.problems_csv).
    "import_problem_file": {"zh": "文件", "en": "File"},
    "import_problem_row": {"zh": "行号", "en": "Row"},
    "import_problem_column": {"zh": "列", "en": "Column"},
    "import_problem_value": {"zh": "值", "en": "Value"},
    "import_problem_problem": {"zh": "问题", "en": "Problem"},
    "import_problem_fix": {"zh": "修改方法", "en": "How to fix"},
    # Summary lines and notes of an import (layers.importing.summary, layers.importing.fields).
    "imp_sum_line": {"zh": "{count} 行：{problem}（第 {rows} 行）", "en": "{count} rows: {problem} (rows {rows})"},
    "imp_sum_line_one": {"zh": "1 行：{problem}（第 {rows} 行）", "en": "1 row: {problem} (row {rows})"},
    "imp_sum_value": {"zh": "“{value}”（{count} 行）", "en": "'{value}' ({count})"},
    "imp_sum_no_coordinates": {"zh": "没有坐标（经度、纬度为空或没有点位）", "en": "no coordinates (longitude/latitude blank or no point)"},
    "imp_sum_outside_most": {"zh": "大多数点位在区域之外，距区域约 {km} 公里：区域选错了，还是文件选错了？", "en": "most points lie outside the region, about {km} km away: wrong region or wrong file?"},
    "imp_sum_outside_few": {"zh": "点位在区域之外（最远约 {km} 公里）：请核对坐标", "en": "points outside the region (up to {km} km away): check their coordinates"},
    "imp_sum_unmatched": {"zh": "无法识别的{field}：{values}；请在字段对应的取值（values）中指定", "en": "{field} values not understood: {values}; map them under \"values\" in the mapping"},
    "imp_sum_field_level": {"zh": "学段", "en": "school level"},
    "imp_sum_field_urban_rural": {"zh": "城乡类型", "en": "urban/rural"},
    "imp_missing_head": {"zh": "{file}：缺少或未识别 {count} 个必需字段。文件中的列：{columns}", "en": "{file}: {count} required columns are missing or not recognised. The file has the columns: {columns}"},
    "imp_note_ids": {"zh": "{count} 行没有编号：已按名称和位置生成稳定编号（“{prefix}-” 加名称与经纬度（保留 4 位小数）的 SHA-1 前 8 位十六进制；重复载入不变），行：{rows}", "en": "rows without an id: {count} (rows {rows}); stable ids generated from the name and position (\"{prefix}-\" + the first 8 hex digits of the SHA-1 of the name and the longitude/latitude rounded to 4 decimals; the same on every load)"},
    "imp_note_same_place": {"zh": "{count} 行与前面某行名称和位置都相同：编号加 -2、-3 …，请核实是否为同一所学校或村庄", "en": "rows repeating the name and position of an earlier row: {count}; their ids end in -2, -3 …; check whether they are the same place"},
    "imp_note_seats": {"zh": "{count} 所学校没有学位数（{column}）：按在校生数折合整班估算（小学每班 45 人、初中每班 50 人，教督〔2017〕6号），已标记为估算（seats_estimated）", "en": "schools without seats ({column}): {count}; estimated from enrolment in whole classes (45 per primary class, 50 per junior class, 教督〔2017〕6号) and marked estimated (seats_estimated)"},
    "imp_note_beds": {"zh": "{count} 所学校没有床位数（{column}）：记为 0（无寄宿床位）", "en": "schools without beds ({column}): {count}; set to 0 (no boarding places)"},
    "imp_note_teachers": {"zh": "{count} 所学校没有教师数（{column}）：记为 0", "en": "schools without a teachers figure ({column}): {count}; set to 0"},
    "imp_note_blank_bands": {"zh": "{column} 有 {count} 个空格：按年级段人数补齐", "en": "{column} is blank on {count} loaded rows: filled from the grade bands"},
    "imp_note_missing": {"zh": "以下列的空格按缺失值处理（学校照常导入；优质均衡指标会列出缺少数据的学校）：{columns}", "en": "blank cells left as missing values (the schools load; the balance indicators list the schools that lack them): {columns}"},
    "imp_note_unused": {"zh": "未使用的列：{columns}", "en": "columns not used: {columns}"},
    "imp_note_mapping_absent": {"zh": "字段对应文件中有本文件没有的列（已跳过）：{columns}", "en": "the mapping names columns this file does not have (skipped): {columns}"},
    "solve_time": {"zh": "重新分配用时 {ms:.0f} 毫秒", "en": "Reassigned in {ms:.0f} ms"},
    # --- printed maps and the scenario report (geo.export.mapimage, geo.export.report)
    "map_title_access": {"zh": "{region} · 到最近学校用时：{level}，{band}，{mode}", "en": "{region} · Time to the nearest school: {level}, {band}, {mode}"},
    "map_title_baseline": {"zh": "{region} · 现状：学生上学用时", "en": "{region} · Baseline: children's trip to school"},
    "map_title_scenario": {"zh": "{region} · 方案「{scenario}」：学生上学用时", "en": "{region} · Scenario “{scenario}”: children's trip to school"},
    "map_title_difference": {"zh": "{region} · 方案「{scenario}」与现状相比的用时变化", "en": "{region} · Change in trip time, “{scenario}” − baseline"},
    "map_params_access": {"zh": "学段：{level} · 年级段：{band} · 出行方式：{mode} · 时间上限：{threshold:g} 分钟 · 村庄颜色为到最近学校的用时", "en": "Level: {level} · Grades: {band} · Mode: {mode} · Time limit: {threshold:g} min · Village colour: minutes to the nearest school"},
    "map_params_assignment": {"zh": "学生按规则步行、乘校车或寄宿，就读有学位的学校 · 时间上限：{threshold:g} 分钟 · 村庄颜色为学生平均用时", "en": "Children walk, ride the school bus or board by the rules, at schools with free seats · Time limit: {threshold:g} min · Village colour: children's mean trip"},
    "map_params_short_access": {"zh": "{level}/{band}/{mode}/{threshold:g} 分钟", "en": "{level}/{band}/{mode}/{threshold:g} min"},
    "map_params_short_assignment": {"zh": "{view}/{threshold:g} 分钟", "en": "{view}/{threshold:g} min"},
    "map_actions": {"zh": "调整措施：{actions}", "en": "Actions: {actions}"},
    "map_no_actions": {"zh": "（无）", "en": "(none)"},
    "map_date": {"zh": "制图日期：{date}", "en": "Date: {date}"},
    "map_sources": {"zh": "道路与地点：{attribution} · 制图：均衡 Junheng", "en": "Roads and places: {attribution} · Map: Junheng"},
    "map_demo_badge": {"zh": "演示数据：村庄学龄人口与学校数字为合成数据", "en": "Demo data: synthetic children and school figures"},
    "map_north": {"zh": "北", "en": "N"},
    "map_km": {"zh": "公里", "en": "km"},
    "map_legend": {"zh": "图例", "en": "Legend"},
    "map_villages_minutes": {"zh": "村庄（颜色为用时）", "en": "Villages (colour: minutes)"},
    "map_villages_delta": {"zh": "村庄（颜色为用时变化）", "en": "Villages (colour: change)"},
    "map_size_enrolment": {"zh": "学校圆面积：在校生数", "en": "School circle area: enrolment"},
    "map_size_pupils": {"zh": "学校圆面积：方案在校生数", "en": "School circle area: pupils in the scenario"},
    "map_catchments": {"zh": "服务范围（每校一色）", "en": "Catchments (one colour per school)"},
    "map_threshold": {"zh": "上限", "en": "limit"},
    "map_shorter": {"zh": "缩短", "en": "shorter"},
    "map_longer": {"zh": "延长", "en": "longer"},
    "report_title": {"zh": "学校布局调整方案报告", "en": "School network scenario report"},
    "report_meta": {"zh": "方案：{scenario}　　区域：{region}　　日期：{date}", "en": "Scenario: {scenario}    Region: {region}    Date: {date}"},
    "report_purpose": {"zh": "供公示、听证与论证会议使用：现状与方案的通学指标对比、方案地图、受影响村庄、撤并核查与校际差异系数。", "en": "For public notice and hearings: access indicators of the baseline and the scenario, the scenario map, villages affected, consolidation checks and between-school CVs."},
    "report_map": {"zh": "方案地图：学生上学用时（撤销与新建学校已标出）", "en": "Scenario map: children's trip to school (closed and new schools marked)"},
    "report_continued": {"zh": "（续）", "en": " (continued)"},
    "report_page": {"zh": "第 {page} / {pages} 页", "en": "Page {page} of {pages}"},
    "report_not_placed": {"zh": "未安置", "en": "not placed"},
    "report_no_indicators": {"zh": "该区域的学校图层缺少优质均衡资源字段（{columns}），本报告不含校际差异系数。", "en": "The region's schools layer lacks the resource columns ({columns}); this report has no between-school CVs."},
    "report_indicators_not_given": {"zh": "未提供优质均衡指标，本报告不含校际差异系数。", "en": "No balance indicators were given; this report has no between-school CVs."},
    "col_change": {"zh": "变化", "en": "Change"},
    "report_pp": {"zh": "{value} 个百分点", "en": "{value} pp"},
    "col_rule": {"zh": "规则", "en": "Rule"},
    "col_subject": {"zh": "对象", "en": "Subject"},
    "col_detail": {"zh": "说明", "en": "Detail"},
    # the import page: EPSG codes, value mapping, the paged problem report, estimated seats
    "imp_coords_epsg": {"zh": "EPSG 代码（如 CGCS2000 高斯-克吕格投影 4526）", "en": "EPSG code (e.g. 4526, a CGCS2000 Gauss–Krüger zone)"},
    "imp_epsg": {"zh": "EPSG 代码", "en": "EPSG code"},
    "imp_epsg_needed": {"zh": "EPSG 代码“{code}”不是数字：请填写坐标系的 EPSG 代码，如 4526。", "en": "EPSG code “{code}” is not a number: enter the coordinate system's EPSG code, such as 4526."},
    "imp_values": {"zh": "取值对应（未识别的值）", "en": "Value mapping (values not understood)"},
    "imp_values_hint": {"zh": "以下取值无法自动识别，请为每个值选择含义，再点“检查并预览”；未选择的行仍列为问题。", "en": "These values were not understood: choose what each means, then “Check and preview”; rows left unchosen stay problems."},
    "imp_values_level": {"zh": "学段", "en": "Level"},
    "imp_values_urban_rural": {"zh": "城乡", "en": "Urban/rural"},
    "imp_value_row": {"zh": "{field}：“{value}”（{count} 行）", "en": "{field}: “{value}” ({count} rows)"},
    "imp_value_choose": {"zh": "请选择含义…", "en": "Choose…"},
    "imp_mapping_download": {"zh": "下载字段对应 JSON", "en": "Download the mapping (JSON)"},
    "imp_summary_title": {"zh": "问题概要", "en": "Problems at a glance"},
    "imp_table_title": {"zh": "逐行问题", "en": "Problems row by row"},
    "imp_rows_capped": {"zh": "共 {rows} 处问题，页面列出前 {shown} 处；完整清单请下载 CSV。", "en": "{rows} problems in all; the first {shown} are listed here, the CSV has them all."},
    "imp_page": {"zh": "第 {page} / {pages} 页（共 {rows} 处）", "en": "Page {page} of {pages} ({rows} problems)"},
    "imp_page_prev": {"zh": "上一页", "en": "Previous"},
    "imp_page_next": {"zh": "下一页", "en": "Next"},
    "imp_seats": {"zh": "学位数", "en": "Seats"},
    "imp_seats_estimated": {"zh": "学位数（估算）", "en": "Seats (estimated)"},
    "seats_estimated_mark": {"zh": "（学位数为按在校生数估算）", "en": " (seats estimated from enrolment)"},
    "seats_estimated_short": {"zh": "（估算）", "en": " (est.)"},
    "imp_values_place": {"zh": "居民点类型", "en": "Place type"},
    "imp_place_town": {"zh": "镇", "en": "Town"},
    "imp_place_village": {"zh": "村", "en": "Village"},
    "imp_place_hamlet": {"zh": "自然村", "en": "Hamlet"},
    "imp_place_isolated_dwelling": {"zh": "散居户", "en": "Isolated dwelling"},
    # Coordinate systems, planner layers and `layers check` (geo/build/crs.py, geo/build/planner.py, geo/cli).
    'planner_what_schools_one': {'zh': '学校', 'en': 'school lies'},
    'planner_what_schools_many': {'zh': '学校', 'en': 'schools lie'},
    'planner_what_villages_one': {'zh': '村庄', 'en': 'village lies'},
    'planner_what_villages_many': {'zh': '村庄', 'en': 'villages lie'},
    'planner_what_roads_one': {'zh': '道路', 'en': 'road lies'},
    'planner_what_roads_many': {'zh': '道路', 'en': 'roads lie'},
    'crs_unknown': {'zh': '{argument} {value!r}：未知的坐标系；请选择 wgs84、gcj02、bd09、cgcs2000、EPSG:<代码> 或 auto。', 'en': '{argument} {value!r}: unknown coordinate system; choose wgs84, gcj02, bd09, cgcs2000, EPSG:<code> or auto.'},
    'crs_looks_other': {'zh': '警告：{label} 按 {declared} 读取时距道路的中位距离为 {given:,.0f} 米，按 {other} 读取则为 {other_m:,.0f} 米：坐标看来是 {other}{hint}；请用 {flag} {other_key}（或 {flag} auto）。', 'en': 'warning: {label} read as {declared} lie a median {given:,.0f} m from the roads, read as {other} {other_m:,.0f} m: they look like {other}{hint}; give {flag} {other_key} (or {flag} auto).'},
    'crs_auto_chose': {'zh': '{label}：{flag} auto 选择了 {chosen}（距道路的中位距离 {chosen_m:,.0f} 米，按 {rejected} 为 {rejected_m:,.0f} 米）。', 'en': '{label}: {flag} auto chose {chosen} (a median {chosen_m:,.0f} m from the roads, against {rejected_m:,.0f} m as {rejected}).'},
    'crs_auto_outside': {'zh': '{label}：{flag} auto 按 WGS-84 读取（点位不在中国境内，GCJ-02 与 BD-09 不适用）。', 'en': '{label}: {flag} auto read them as WGS-84 (the points are outside China, where GCJ-02 and BD-09 do not apply).'},
    'crs_auto_few': {'zh': '{label}：{flag} auto 按 WGS-84 读取（只有 {count} 个点，不足以判断坐标系；至少需要 {need} 个）。', 'en': '{label}: {flag} auto read them as WGS-84 ({count} points are too few to tell the system; {need} are needed).'},
    'crs_auto_needs_roads': {'zh': '{flag} auto 需要道路来比较：请同时给出 --region（或改用 wgs84、gcj02、bd09、cgcs2000、EPSG:<代码>）。', 'en': '{flag} auto needs roads to compare with: give --region too (or choose wgs84, gcj02, bd09, cgcs2000, EPSG:<code>).'},
    'crs_hint_gcj02': {'zh': '（高德、腾讯地图）', 'en': ' (Amap / Tencent)'},
    'crs_hint_bd09': {'zh': '（百度地图）', 'en': ' (Baidu)'},
    'crs_hint_wgs84': {'zh': '（GPS、OpenStreetMap、天地图）', 'en': ' (GPS, OpenStreetMap, Tianditu)'},
    'planner_outside': {'zh': '{source}：{count} 个{what}位于 OSM 数据范围之外，相距约 {km} 公里（第 {rows} 行）：文件或 --bbox 是否有误？', 'en': '{source}: {count} {what} outside the OSM extract, about {km} km away ({rows_label} {rows}): wrong file or wrong --bbox?'},
    'planner_outside_problem': {'zh': '位于 OSM 数据范围之外（约 {km} 公里）', 'en': 'outside the OSM extract (about {km} km away)'},
    'planner_outside_fix': {'zh': '检查坐标与坐标系（{flag}），或使用覆盖该点的 OSM 文件 / 更大的 --bbox', 'en': 'check the coordinates and their system ({flag}), or use an OSM file / a --bbox that covers the point'},
    'planner_check_hint': {'zh': '每一行的问题与修改方法：python -m geo layers check --kind {kind} {path} --out report.json', 'en': 'every row with its fix: python -m geo layers check --kind {kind} {path} --out report.json'},
    'planner_mapping_unused': {'zh': '映射文件：列 {column!r} 不在 {files} 中；请删除该项或改为文件中的列名', 'en': 'mapping file: column {column!r} is in none of {files}; remove it or use a header of the file'},
    'planner_no_rows': {'zh': '{source} 没有可用的行；请至少给出一行', 'en': '{source} has no rows; give at least one row'},
    'check_line': {'zh': '{file}：共 {rows} 行，{valid} 行有效；{problems} 个问题（{kinds} 类）；报告已写入 {out}', 'en': '{file}: {valid} of {rows} rows valid; {problems} problems of {kinds} kinds; report written to {out}'},
}
#: The importer's problems, fixes and notes (:mod:`layers.catalogue_import`) belong to the same catalogue.
CATALOGUE.update(IMPORT_CATALOGUE)
#: Checks, errors and problems of the library (:mod:`layers.catalogue_messages`) and the dashboard's own strings.
CATALOGUE.update(MESSAGES_CATALOGUE)
CATALOGUE.update(DASHBOARD_CATALOGUE)


#: Message parameters that hold a school or village id, by the layer whose names replace them (see :func:`message`).
NAMED_PARAMS: Final = {"school": "schools", "target": "schools", "schools": "schools", "village": "villages"}


def message(key: str, lang: str = DEFAULT_LANG, params: Mapping[str, object] | None = None, *,
            names: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """Return the message ``key`` in ``lang`` with ``params``, school and village ids shown as their names.

    Parameters
    ----------
    key : str
        A key of :data:`CATALOGUE`.
    lang : {"zh", "en"}
    params : mapping, optional
        The placeholders' values.  Those named in :data:`NAMED_PARAMS` are ids; with ``names`` they
        are replaced by the name (the id itself when the layer does not know it).
    names : mapping, optional
        ``{"schools": {id: name}, "villages": {id: name}}``.

    Returns
    -------
    str

    Examples
    --------
    >>> message("chk_unplaced", "en", {"village": "V1", "children": 3, "band": "g1_3", "reason": "rsn_no_seat"},
    ...         names={"villages": {"V1": "Ordino"}})
    'Ordino: 3 children of Grades 1–3 cannot be placed: no school within reach has a free seat.'
    >>> message("chk_unplaced", "zh", {"village": "V1", "children": 3, "band": "g1_3", "reason": "rsn_no_seat"})
    'V1：3 名1–3 年级学生无法安排：可达范围内没有学校有空余学位。'
    """
    values = dict(params or {})
    for param, value in list(values.items()):  # nested messages: {"key": ..., "params": ...} or a list of them
        if _is_message(value) or (isinstance(value, list) and value and all(_is_message(v) for v in value)):
            parts = [message(v["key"], lang, v.get("params"), names=names) for v in (value if isinstance(value, list) else [value])]
            if param == "problems":  # sentences
                values[param] = ("；" if lang == DEFAULT_LANG else "; ").join(parts)
            else:  # words
                values[param] = ("、" if lang == DEFAULT_LANG else ", ").join(parts)
    for param, layer in NAMED_PARAMS.items():
        if param in values and isinstance(values[param], (list, tuple)):  # a list of ids: their names, joined
            ids = [str(v) for v in values[param]]
            values[param] = ("、" if lang == DEFAULT_LANG else ", ").join((names or {}).get(layer, {}).get(i, i) for i in ids)
        elif param in values and names is not None:
            values[param] = names.get(layer, {}).get(str(values[param]), str(values[param]))
    for param, prefix in (("band", "band_"), ("level", "level_")):
        value = values.get(param)
        if isinstance(value, str) and prefix + value in CATALOGUE:
            values[param] = t(prefix + value, lang)
    reason = values.get("reason")
    if isinstance(reason, str) and reason in CATALOGUE:  # a reason code, formatted with the same parameters
        values["reason"] = t(reason, lang, **{k: v for k, v in values.items() if k != "reason"})
    return t(key, lang, **values)


def _is_message(value: object) -> bool:
    """True for a nested message ``{"key": <catalogue key>, "params": {...}}``."""
    return isinstance(value, Mapping) and isinstance(value.get("key"), str) and value["key"] in CATALOGUE


def error_text(exc: BaseException, lang: str = DEFAULT_LANG, *, names: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """Return the message of ``exc`` in ``lang``: its catalogue key's text when it has one, else ``str(exc)``."""
    key = getattr(exc, "key", None)
    if key and key in CATALOGUE:
        try:
            text = message(key, lang, getattr(exc, "params", None), names=names)
        except (KeyError, IndexError, ValueError, TypeError):  # a key and parameters that do not fit: the English message
            return str(exc)
        return str(exc) if re.search(r"\{[A-Za-z_]\w*[}!:.\[]", text) else text  # a placeholder left unfilled: the same
    return str(exc)


def t(key: str, lang: str = DEFAULT_LANG, **kwargs: object) -> str:
    """Return the string ``key`` in ``lang``, formatted with ``kwargs``.

    An unknown language falls back to Chinese; an unknown key raises KeyError
    (a test checks every key used exists in both languages).

    Parameters
    ----------
    key : str
        A key of :data:`CATALOGUE`.
    lang : {"zh", "en"}, default "zh"
        The language.
    **kwargs
        Values of the string's ``{placeholders}``.

    Returns
    -------
    str
    """
    entry = CATALOGUE[key]
    text = entry.get(lang if lang in LANGS else DEFAULT_LANG) or entry[DEFAULT_LANG]
    return text.format(**kwargs) if kwargs else text
