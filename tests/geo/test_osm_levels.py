"""Levels of OSM schools from tags and names (issue 11, point 10); non-compulsory schools left out and listed.

The features are written here (no OSM file): a few ``amenity=school`` points
with the tags a real extract would carry.
"""
from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.build.features import build_schools
from geo.build.levels import (
    LEVEL_SOURCES,
    fold,
    isced_level,
    keyword_level,
    name_level,
    read_school_level,
    tag_level,
)
from geo.build.progress import LOGGER_NAME
from geo.build.synthetic import assign_levels, synthesise

METRIC_CRS = "EPSG:32631"


# --------------------------------------------------------------------------- names, per language

#: Names by level; in each list Chinese first (the last keyword, the head noun, decides; longest match),
#: then English (whole words), German (compounds; "Realschule" is not a plain "...schule"), French
#: (accents and case folded, except collège), Spanish, Catalan.
NAMES_BY_LEVEL = {
    "primary": [
        "城关第一小学", "石阡县中心小学", "龙塘完小", "坪山村小", "大坪教学点", "城中小学", "大学城第二小学",
        "师范学院附属小学", "育才学校（小学部）", "城南小学（含幼儿园）",
        "Primary School", "St Mary's Elementary", "Middleton Primary", "Middle Road Primary School", "Hill Junior School",
        "Primarschule Triesen", "Grundschule am Park", "Gemeinschaftsgrundschule Nord", "Volksschule Schaan",
        "Primarschule und Kindergarten Ruggell",
        "École primaire Jules Ferry", "ECOLE ELEMENTAIRE DU CENTRE", "Groupe scolaire Pasteur",
        "Escuela Primaria Benito Juárez", "Colegio de Primaria San José", "CEIP Virgen del Carmen",
        "Escola Primària de Sant Julià", "Escola de primera ensenyança d'Ordino",
        "Escola Andorrana de Maternal i de 1a Ensenyança",
    ],
    "junior": [
        "河坝初中", "县第三中学", "龙井初级中学", "民族完全中学", "北京大学附属中学", "学院路中学",
        "Secondary School", "Lakeside Middle School", "Franklin Junior High School", "Chengguan No. 1 High School",
        "Realschule Vaduz", "Hauptschule Mitte", "Sekundarschule Balzers", "Mittelschule Wien",
        "Liechtensteinisches Gymnasium",
        "Collège Jean Moulin", "Lycée Comte de Foix", "Collège et Lycée Saint-Louis",
        "Escuela Secundaria Técnica 5", "IES Pablo Ruiz Picasso", "Instituto Cervantes de Secundaria",
        "Escola Secundària d'Encamp", "Institut Joan Brudieu", "Escola Andorrana de Segona Ensenyança",
    ],
    "nine_year": [
        "白沙九年一贯制学校", "花桥九年制学校",
        "Harbour Combined School", "Riverside All-Through School", "Grund- und Hauptschule Eschen", "Gesamtschule Ost",
        "Colegio San Agustín", "Col·legi Sant Ermengol",
    ],
}
NAMES = [(name, level) for level, names in NAMES_BY_LEVEL.items() for name in names]


@pytest.mark.parametrize(("name", "level"), NAMES)
def test_level_from_name(name, level):
    reading = name_level(name)
    assert (reading.level, reading.source, reading.left_out) == (level, "osm_name", None)
    assert reading.evidence.startswith("name: ")
    assert keyword_level(name) == level


#: Names of schools left out, by a word of the reason.
LEFT_OUT_BY_REASON = {
    "kindergarten": [
        "阳光幼儿园", "城关小学附属幼儿园", "实验小学幼儿园", "Sunshine Kindergarten", "Kita Regenbogen",
        "École maternelle des Lilas", "Guardería Los Pinos", "Escola Bressol Prada Casadet",
    ],
    "music": ["星光音乐培训", "县艺术学校", "Liechtensteinische Musikschule", "Conservatorio Profesional de Música",
              "Tanzschule Balance"],
    "language": ["新东方外语培训", "Berlitz Language School"],
    "driving": ["Fahrschule Meier"],
    "tertiary": ["贵州大学", "Universität Liechtenstein", "Hochschule Luzern", "Universitat d'Andorra"],
    "vocational": ["铜仁职业技术学院", "县职业中学", "县中等专业学校", "县中专", "Berufsschule Vaduz",
                   "Lycée professionnel Jean Jaurès"],
    "senior": ["县第一高级中学", "民族高中", "Senior High School", "Sixth Form College", "Escola Andorrana de Batxillerat"],
    "adult": ["Volkshochschule", "Centre de Formació d'adults"],
}
LEFT_OUT_NAMES = [(name, why) for why, names in LEFT_OUT_BY_REASON.items() for name in names]


@pytest.mark.parametrize(("name", "why"), LEFT_OUT_NAMES)
def test_non_compulsory_names_are_left_out(name, why):
    reading = name_level(name)
    assert reading.level is None and reading.source == "osm_name"
    assert why in reading.left_out.casefold(), reading.left_out
    assert keyword_level(name) is None


@pytest.mark.parametrize(
    "name", ["Escola Sagrada Familia", "Agora International Andorra", "Schule Triesen", "育才学校", "外国语学校",
             "Mesozoic Museum School", "学院路实验学校附属学校"],
)
def test_unreadable_names_say_nothing(name):
    reading = name_level(name)
    assert (reading.level, reading.left_out, reading.source, reading.evidence) == (None, None, "synthetic", "")


def test_fold_strips_case_accents_and_separators():
    assert fold("ÉCOLE  Élémentaire-Jean_Moulin/Nord") == "ecole elementaire jean moulin nord"
    assert fold("Ｃｏｌ·legi") == "col·legi"  # full-width forms made ASCII, the Catalan middle dot kept


def test_teaching_points_are_primary_schools_of_their_own_type():
    reading = name_level("坪山村教学点")
    assert (reading.level, reading.school_type) == ("primary", "teaching_point")
    assert name_level("城关第一小学").school_type == ""
    assert name_level("Hill Teaching Point").school_type == "teaching_point"


def test_english_college_is_not_french_college():
    assert name_level("British College d'Andorra").level == "nine_year"
    assert name_level("Collège Jean Moulin").level == "junior"
    assert name_level("Harbour Community College").left_out is not None


# --------------------------------------------------------------------------- tags

#: Tags by level, written ``key=value`` and joined by ``|``.
TAGS_BY_LEVEL = {
    "primary": ["isced:level=1", "isced:level=0;1", "school=primary", "school:FR=élémentaire", "school:de=Grundschule"],
    "junior": ["isced:level=2", "isced:level=2;3", "school=secondary", "school=middle", "school:FR=collège"],
    "nine_year": ["isced:level=1;2", "isced:level=1-2", "school=primary;secondary", "school:gender=mixed|school=all_through"],
}
TAGS = [
    (dict(pair.split("=", 1) for pair in text.split("|")), level) for level, texts in TAGS_BY_LEVEL.items() for text in texts
]


@pytest.mark.parametrize(("tags", "level"), TAGS)
def test_level_from_tags(tags, level):
    reading = tag_level(tags)
    assert (reading.level, reading.source, reading.left_out) == (level, "osm_tag", None)
    assert reading.evidence.startswith(next(iter(sorted(tags))))  # names the tag that decided


@pytest.mark.parametrize(
    "tags", [{"isced:level": "0"}, {"isced:level": "3"}, {"isced:level": "5-8"}, {"school": "kindergarten"},
             {"school": "music"}, {"school:FR": "lycée"}],
)
def test_non_compulsory_tags_are_left_out(tags):
    reading = tag_level(tags)
    assert reading.level is None and reading.left_out and reading.source == "osm_tag"


def test_tags_that_say_nothing_are_ignored():
    assert not tag_level({"school:gender": "mixed", "school:language": "english", "isced:level": "?"}).decided


def test_isced_values():
    assert isced_level("1") == {1}
    assert isced_level("1;2") == isced_level("1-2") == isced_level("1, 2") == {1, 2}
    assert isced_level("primary") is None


def test_tags_come_before_names_and_names_fall_back_to_name_tags():
    # a county's senior high called 一中, tagged as upper secondary
    senior = read_school_level({"name": "县第一中学", "isced:level": "3"})
    assert senior.left_out and senior.source == "osm_tag"
    tagged = read_school_level({"name": "Escola Sagrada Familia", "isced:level": "1", "school:gender": float("nan")})
    assert (tagged.level, tagged.source, tagged.evidence) == ("primary", "osm_tag", "isced:level=1")
    english = read_school_level({"name": "Schule Triesen", "name:en": "Triesen Primary School"})
    assert (english.level, english.source, english.evidence) == ("primary", "osm_name", 'name:en: "primary"')
    unknown = read_school_level({"name": "Escola Andorrana", "amenity": "school", "wikidata": None})
    assert (unknown.level, unknown.source) == (None, "synthetic")
    assert {"osm_tag", "osm_name", "synthetic"} <= set(LEVEL_SOURCES)


# --------------------------------------------------------------------------- build_schools and the seeded draw


def _features(rows: list[dict]) -> gpd.GeoDataFrame:
    """``amenity=school`` nodes about 1 km apart near Ordino (the rows' tags; ids 1, 2, ...)."""
    records = [{"element": "node", "osm_id": i + 1, "amenity": "school", **row} for i, row in enumerate(rows)]
    points = [Point(1.50 + 0.012 * i, 42.55) for i in range(len(rows))]
    return gpd.GeoDataFrame(pd.DataFrame(records), geometry=points, crs="EPSG:4326")


def _districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"district_id": ["D1"], "name": ["Ordino"]},
                            geometry=[Point(1.55, 42.55).buffer(0.5)], crs="EPSG:4326")


SCHOOL_ROWS = [
    {"name": "城关第一小学"},
    {"name": "Musikschule Vaduz"},
    {"name": "阳光幼儿园"},
    {"name": "Universitat d'Andorra"},
    {"name": "Escola Sagrada Familia"},
    {"name": "Escola Andorrana", "isced:level": "2"},
    {"name": "Primarschule Triesen"},
    {"name": "Agora International Andorra"},
    {"isced:level": "0"},
    {"name": "坪山村教学点"},
]


@pytest.fixture()
def built(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    schools = build_schools(_features(SCHOOL_ROWS), _districts(), metric_crs=METRIC_CRS)
    return schools, [r.getMessage() for r in caplog.records if r.name == LOGGER_NAME]


def test_build_schools_leaves_out_and_lists_non_compulsory(built):
    schools, lines = built
    assert sorted(schools["school_id"]) == ["Sn1", "Sn10", "Sn5", "Sn6", "Sn7", "Sn8"]
    listed = [line for line in lines if line.startswith("schools: left out")]
    assert len(listed) == 1, lines
    line = listed[0]
    assert line.startswith("schools: left out 4 of 10 as not compulsory education: ")
    for name in ("Musikschule Vaduz", "阳光幼儿园", "Universitat d'Andorra", "Sn9"):
        assert name in line
    assert "2 kindergarten or pre-school" in line  # 阳光幼儿园 and the isced:level=0 node
    assert "1 music, art or dance school" in line and "1 university or college (tertiary)" in line


def test_build_schools_marks_where_each_level_came_from(built):
    schools, lines = built
    by_id = schools.set_index("school_id")
    assert by_id.loc["Sn1", ["level", "level_source"]].tolist() == ["primary", "osm_name"]
    assert by_id.loc["Sn6", ["level", "level_source"]].tolist() == ["junior", "osm_tag"]
    assert by_id.loc["Sn7", ["level", "level_source"]].tolist() == ["primary", "osm_name"]
    assert by_id.loc["Sn10", ["level", "level_source", "school_type"]].tolist() == ["primary", "osm_name", "teaching_point"]
    assert set(by_id.loc[by_id.index != "Sn10", "school_type"]) == {""}
    for unread in ("Sn5", "Sn8"):
        assert by_id.loc[unread, "level"] is None and by_id.loc[unread, "level_source"] == "synthetic"
    summary = [line for line in lines if line.startswith("schools: levels read")]
    assert summary == [
        "schools: levels read for 4 of 6 (1 from OSM tags, 3 from names); 2 unreadable, drawn from the seed "
        "(level_source=synthetic): 'Escola Sagrada Familia', 'Agora International Andorra'"
    ]


def test_unread_levels_are_drawn_from_the_seed_and_marked_synthetic(built):
    schools, _ = built
    villages = gpd.GeoDataFrame(
        {"village_id": ["V1", "V2", "V3"], "name": ["A", "B", "C"], "place": ["village", "hamlet", "town"],
         "district": ["D1"] * 3},
        geometry=[Point(1.50, 42.56), Point(1.53, 42.56), Point(1.56, 42.56)], crs="EPSG:4326",
    )
    first, again = schools.copy(), schools.copy()
    synthesise(villages.copy(), first, seed=7, metric_crs=METRIC_CRS)
    synthesise(villages.copy(), again, seed=7, metric_crs=METRIC_CRS)
    by_id = first.set_index("school_id")
    assert by_id["level_source"].to_dict() == {
        "Sn1": "osm_name", "Sn10": "osm_name", "Sn5": "synthetic", "Sn6": "osm_tag", "Sn7": "osm_name", "Sn8": "synthetic",
    }
    assert by_id.loc[["Sn1", "Sn6", "Sn7"], "level"].tolist() == ["primary", "junior", "primary"]
    assert by_id.loc[["Sn5", "Sn8"], "level"].isin(["primary", "junior", "nine_year"]).all()
    assert first["level"].tolist() == again["level"].tolist()  # seeded, so the demo is reproducible


def test_assign_levels_draws_once_per_school_and_keeps_read_levels():
    frame = pd.DataFrame({"name": ["a", "b", "c"], "level": ["junior", None, np.nan]})
    levels, drawn = assign_levels(frame, np.random.default_rng(1))
    assert levels[0] == "junior" and drawn == [False, True, True]
    # without a level column the names are read (the old frames)
    levels, drawn = assign_levels(pd.DataFrame({"name": ["小学", "Realschule", "Escola"]}), np.random.default_rng(1))
    assert levels[:2] == ["primary", "junior"] and drawn == [False, False, True]


def test_an_area_named_by_its_node_gets_the_level_of_that_name():
    area = Point(1.50, 42.55).buffer(0.0005)
    features = gpd.GeoDataFrame(
        {"element": ["way", "node"], "osm_id": [7, 8], "amenity": ["school", "school"], "name": [None, "Realschule Eschen"]},
        geometry=[area, Point(1.50, 42.55)], crs="EPSG:4326",
    )
    schools = build_schools(features, _districts(), metric_crs=METRIC_CRS)
    assert schools[["school_id", "name", "level", "level_source"]].values.tolist() == [
        ["Sw7", "Realschule Eschen", "junior", "osm_name"],
    ]
