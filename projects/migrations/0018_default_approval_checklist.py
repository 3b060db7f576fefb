"""The default checklist of pre-construction approvals (前期手续) per project category: a
starting point, edited by administrators in the admin (kinds of approval and the categories
whose checklist holds each). Run again, it adds what is missing and changes nothing an
administrator edited."""

from django.db import migrations

# code, name, English name, the categories whose checklist holds it
KINDS = [
    (
        "proposal",
        "项目建议书批复或备案",
        "Project proposal approval or filing",
        "*",
    ),
    (
        "renewal-plan",
        "城市更新项目实施方案批复",
        "Urban renewal implementation plan approval",
        "urban_renewal",
    ),
    (
        "land-site",
        "用地预审与选址意见书",
        "Land-use pre-approval and site selection opinion",
        "culture health_pharma transport education healthcare industry commerce urban_renewal "
        "infrastructure innovation",
    ),
    (
        "feasibility",
        "可行性研究报告批复",
        "Feasibility study approval",
        "culture transport education healthcare infrastructure ecology social",
    ),
    (
        "eia",
        "环境影响评价批复",
        "Environmental impact assessment approval",
        "culture health_pharma transport education healthcare industry commerce urban_renewal "
        "infrastructure ecology innovation",
    ),
    (
        "energy",
        "节能审查意见",
        "Energy conservation review opinion",
        "health_pharma industry",
    ),
    (
        "heritage",
        "文物保护意见",
        "Cultural heritage protection opinion",
        "culture urban_renewal",
    ),
    (
        "design",
        "初步设计及概算批复",
        "Preliminary design and budget approval",
        "culture transport education healthcare infrastructure ecology social",
    ),
    (
        "planning-permit",
        "建设工程规划许可证",
        "Construction works planning permit",
        "culture health_pharma transport education healthcare industry commerce finance "
        "urban_renewal infrastructure innovation social",
    ),
    (
        "construction-permit",
        "建筑工程施工许可证",
        "Construction permit",
        "*",
    ),
]
CATEGORIES = (
    "culture health_pharma transport education healthcare industry commerce finance "
    "urban_renewal infrastructure ecology innovation social"
).split()
NOTE = "默认清单(可在管理后台修改)。Default checklist, editable in the admin."


def seed(apps, schema_editor):
    ApprovalKind = apps.get_model("projects", "ApprovalKind")
    ApprovalRequirement = apps.get_model("projects", "ApprovalRequirement")
    for order, (code, name, name_en, categories) in enumerate(KINDS, start=1):
        kind, created = ApprovalKind.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "order": order * 10, "description": NOTE},
        )
        if not created:
            continue  # an administrator's kind: its checklist lines are theirs too
        for category in CATEGORIES if categories == "*" else categories.split():
            ApprovalRequirement.objects.get_or_create(kind=kind, category=category)


class Migration(migrations.Migration):
    dependencies = [("projects", "0017_approvals")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
