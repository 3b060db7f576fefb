"""Plan data: the 14th plan, its chapters and projects, from fixtures/plan14/ (the plan's
indicators are loaded beside them by the indicators app).

Everything here is traceable to the plan text shipped beside the data; load() refuses a
fixture whose quoted sentence is not in the paragraph it names, and every row goes through
its model's rules (full_clean).

Another plan's outline comes the same way from a folder shaped as fixtures/plan14/: its
plan.json (the plan and its chapters), indicators.json and the plan's text, the one .txt
file in it (indicators.plandata.load_folder, manage.py load_plan --dir).
"""

import datetime
import functools
import json
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Department, Plan, PlanChapter, Project, ProjectChapter
from .upsert import set_link_rows, upsert

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
PLAN14 = FIXTURES / "plan14"
PLAN_TEXT = PLAN14 / "liwan-14th-five-year-plan.txt"
REASON = "plan data"


class PlanDataError(Exception):
    pass


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@functools.cache
def _published_key_projects():
    data = read_json(PLAN14 / "official_values.json")
    sources = data["sources"]
    return [
        entry | {"sources": [sources[key] | {"key": key} for key in entry["sources"]]}
        for entry in data["key_projects"]
    ]


def published_key_projects(year):
    """What the district published of its key projects in `year` (count, completed
    investment, completion rate, each with the words quoted and the source's title, date
    and address), from fixtures/plan14/official_values.json; [] for a year it has not."""
    return [entry for entry in _published_key_projects() if entry["year"] == year]


def read_paragraphs(path):
    """A plan text's paragraphs: its non-empty lines, counted from 0."""
    text = Path(path).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


@functools.cache
def paragraphs():
    """The 14th plan's text, by paragraph."""
    return read_paragraphs(PLAN_TEXT)


def text_file(folder):
    """A plan's text in the folder of its data: the one .txt file there."""
    found = sorted(Path(folder).glob("*.txt"))
    if len(found) != 1:
        raise PlanDataError(
            f"{folder}: put the plan's text beside its data, as the one .txt file there "
            f"(found {len(found)})."
        )
    return found[0]


@functools.cache
def plan_paragraphs(number):
    """A plan's text, by paragraph: the 14th's, or the text in fixtures/plan<number>/ for a
    plan loaded from there; [] for a plan whose text we do not hold."""
    if number == 14:
        return paragraphs()
    folder = FIXTURES / f"plan{number}"
    texts = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    return read_paragraphs(texts[0]) if len(texts) == 1 else []


def chapter_text(chapter):
    """The paragraphs of the plan text a chapter covers; empty where we hold no text."""
    if chapter.paragraph_start is None:
        return []
    # A chapter entered with its first paragraph only covers that paragraph.
    last = chapter.paragraph_start if chapter.paragraph_end is None else chapter.paragraph_end
    return plan_paragraphs(chapter.plan.number)[chapter.paragraph_start : last + 1]


def check_quote(paras, paragraph, sentence, what):
    if not sentence:
        return
    if paragraph is None or not 0 <= paragraph < len(paras) or sentence not in paras[paragraph]:
        raise PlanDataError(f"{what}: the quoted sentence is not in paragraph {paragraph}.")


def check_paragraphs(paras, first, last, what):
    """A span of paragraphs the text has."""
    for paragraph in (first, last):
        if paragraph is not None and not 0 <= paragraph < len(paras):
            raise PlanDataError(
                f"{what}: the text has no paragraph {paragraph} (it has {len(paras)})."
            )


def save(what, model, lookup, values, **kwargs):
    """upsert(), a row the model's rules refuse reported as plan data in error."""
    try:
        return upsert(model, lookup, values, **kwargs)
    except ValidationError as error:
        raise PlanDataError(f"{what}: {' '.join(error.messages)}") from None


@transaction.atomic
def load():
    """Load departments and the 14th plan's chapters and projects. Returns a Counter of
    what happened."""
    stats = Counter()
    load_portfolio(stats)
    return stats


def load_portfolio(stats):
    """Departments, the plan, its chapters and its projects; returns the plan and its
    chapters by code, for what other apps load beside them."""
    load_departments(stats)
    plan, chapters = load_plan_and_chapters(stats)
    load_projects(chapters, paragraphs(), stats)
    # Each project's checklist of pre-construction approvals, the lines it lacks.
    from .services import approvals_fill

    made = approvals_fill()
    if made:
        stats["approval checklist lines created"] += made
    return plan, chapters


def load_departments(stats):
    for row in read_json(FIXTURES / "departments.json")["departments"]:
        fields = {k: row[k] for k in ("name", "short_name", "name_en", "kind")}
        _obj, status = upsert(Department, {"slug": row["slug"]}, fields)
        stats[f"departments {status}"] += 1


def load_plan_and_chapters(stats, folder=None, paras=None):
    """The plan and its chapters from plan.json in `folder` (default: the 14th plan's),
    checked against the plan's text (`paras`, its paragraphs); returns the plan and its
    chapters by code. A section's parent is the chapter its code names (3 for 3.1),
    listed before it."""
    folder = PLAN14 if folder is None else Path(folder)
    paras = paragraphs() if paras is None else paras
    data = read_json(folder / "plan.json")
    plan_fields = dict(data["plan"])
    number = plan_fields.pop("number")
    if plan_fields.get("issued_on"):
        plan_fields["issued_on"] = datetime.date.fromisoformat(plan_fields["issued_on"])
    plan, status = save(f"plan {number}", Plan, {"number": number}, plan_fields, reason=REASON)
    stats[f"plans {status}"] += 1

    check_calls_for_works(data["chapters"])
    chapters = {}
    for order, row in enumerate(data["chapters"]):
        what = f"chapter {row['code']}"
        parent_code = row["code"].rpartition(".")[0]
        if parent_code and parent_code not in chapters:
            raise PlanDataError(f"{what}: its chapter {parent_code} is not listed before it.")
        if row["code"] in chapters:
            raise PlanDataError(f"{what}: listed twice.")
        check_paragraphs(paras, row["paragraph_start"], row["paragraph_end"], what)
        fields = {
            "title": row["title"],
            "parent": chapters[parent_code] if parent_code else None,
            "order": order,
            "paragraph_start": row["paragraph_start"],
            "paragraph_end": row["paragraph_end"],
            "title_is_official": row["title_is_official"],
            "calls_for_works": row["calls_for_works"],
        }
        chapters[row["code"]], status = save(
            what, PlanChapter, {"plan": plan, "code": row["code"]}, fields
        )
        stats[f"chapters {status}"] += 1
    for defect in data.get("defects", []):
        check_quote(paras, defect["paragraph"], defect["text"], "defect")
    return plan, chapters


def check_calls_for_works(rows):
    """A chapter calls for works when any of its sections does; one that does not says why."""
    calls = {row["code"]: row["calls_for_works"] for row in rows}
    for row in rows:
        parent = row["code"].rpartition(".")[0]
        if parent and row["calls_for_works"] and calls.get(parent) is False:
            raise PlanDataError(
                f"chapter {parent}: calls for no works, but its section {row['code']} does."
            )
        if not row["calls_for_works"] and not row.get("calls_for_works_note"):
            raise PlanDataError(f"chapter {row['code']}: say why it calls for no works.")


@functools.cache
def defects():
    """The plan text's own defects (words repeated or lost in our copy): [(exact text,
    note)], from fixtures/plan14/plan.json. Pages show "[原文如此]" after each (the sic
    filter, projects/templatetags/portfolio.py), never a corrected text."""
    return [(d["text"], d["note"]) for d in read_json(PLAN14 / "plan.json").get("defects", [])]


# Where the plan text places a project (Project.area), by one rule, checked by the loader:
# the first of these that applies.
# 1. The paragraph describing one area that the project's sentence comes from: 35–36 the
#    白鹅潭商务区 and its core, 37 the 北片区, 38 the 南片区.
AREA_OF_PARAGRAPH = {35: "baietan", 36: "baietan", 37: "north", 38: "south"}
# 2. The clause of its sentence that names an area: paragraph 59's 科创区重点项目, the
#    西关历史城区 core of paragraphs 54 and 68, paragraph 54's 南片.
AREA_OF_CLAUSE = [
    ("科创区", "hailong"),
    ("西关历史城区为核心", "lingnan_core"),
    ("南片", "south"),
]
# 3. A place the text puts in an area, in the project's name: paragraph 68's 西关 core and
#    its seven quarters; paragraph 59's 白鹤沙; the 组团 of paragraphs 37 (north) and 38
#    (south); paragraph 36's 白鹅潭 core. Looked for in this order, so a south 组团 that
#    carries 白鹅潭 in its name (白鹅潭聚龙组团) is south, as paragraph 38 lists it.
AREA_OF_PLACE = [
    ("lingnan_core", ["西关", "荔枝湾", "恩宁", "陈家祠", "沙面", "十三行", "上下九", "西门瓮城"]),
    ("hailong", ["海龙", "白鹤沙"]),
    ("north", ["大坦沙", "如意坊"]),
    ("south", ["聚龙", "花地", "西塱", "广钢", "广船", "医药港", "南漖"]),
    ("baietan", ["白鹅潭", "新隆沙", "陆居路", "石围塘"]),
]
# 4. Else the project is district-wide: the text does not place it.
DISTRICT_WIDE = "district"


def area_by_rule(row):
    """The area the plan text places a project in (a row of projects.json), by the rule
    above."""
    if row["paragraph"] in AREA_OF_PARAGRAPH:
        return AREA_OF_PARAGRAPH[row["paragraph"]]
    for clause, area in AREA_OF_CLAUSE:
        if clause in row["source_sentence"]:
            return area
    for area, places in AREA_OF_PLACE:
        if any(place in row["name"] for place in places):
            return area
    return DISTRICT_WIDE


def load_projects(chapters, paras, stats):
    rows = read_json(PLAN14 / "projects.json")["projects"]
    for row in rows:
        check_quote(paras, row["paragraph"], row["source_sentence"], row["code"])
        if row["area"] != area_by_rule(row):
            raise PlanDataError(
                f"{row['code']}: area {row['area']} does not follow the rule "
                f"(projects.plandata.area_by_rule gives {area_by_rule(row)})."
            )
        fields = {
            "name": row["name"],
            "name_en": row["name_en"],
            "category": row["category"],
            "area": row["area"],
            "source_paragraph": row["paragraph"],
            "source_sentence": row["source_sentence"],
        }
        project, status = upsert(Project, {"code": row["code"]}, fields, reason=REASON)
        stats[f"projects {status}"] += 1
        if set_link_rows(
            project.chapter_links.all(),
            "chapter",
            [chapters[code] for code in row["chapters"]],
            lambda chapter, project=project: ProjectChapter(project=project, chapter=chapter),
            reason=REASON,
        ):
            stats["project chapter links changed"] += 1
    # Umbrella entries and their parts (part_of), once every entry exists.
    for row in rows:
        umbrella = Project.objects.get(code=row["part_of"]) if row.get("part_of") else None
        _obj, status = upsert(Project, {"code": row["code"]}, {"part_of": umbrella}, reason=REASON)
        if status != "unchanged":
            stats[f"project part-of links {status}"] += 1
