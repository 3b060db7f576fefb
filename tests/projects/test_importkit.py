"""What the spreadsheet imports lean on in django-import-export: the signatures of the
documented hooks the resources override, and each undocumented behaviour that
projects.importkit names, checked through real imports. A library upgrade that changes any
of it fails here before it changes what administrators see."""

import inspect
import io

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from import_export import resources
from import_export.results import Error, InvalidRow, Result

from projects.importfiles import import_file
from projects.models import Department
from projects.resources import DepartmentResource, ProjectResource

pytestmark = pytest.mark.django_db

DEPARTMENT_HEADERS = ["slug", "name", "kind"]


def departments(*rows):
    return tablib.Dataset(*rows, headers=DEPARTMENT_HEADERS)


def parameters(function):
    return list(inspect.signature(function).parameters)


@pytest.mark.parametrize(
    "method, expected",
    [
        # Documented hooks the resources override or call: their parameters as we use them.
        ("import_data", ["self", "dataset", "dry_run", "raise_errors", "use_transactions"]),
        ("before_import", ["self", "dataset", "kwargs"]),
        ("get_instance", ["self", "instance_loader", "row"]),
        ("before_import_row", ["self", "row", "kwargs"]),
        ("import_instance", ["self", "instance", "row", "kwargs"]),
        ("skip_row", ["self", "instance", "original", "row", "import_validation_errors"]),
        ("validate_instance", ["self", "instance", "import_validation_errors", "validate_unique"]),
        ("before_save_instance", ["self", "instance", "row", "kwargs"]),
        ("do_instance_save", ["self", "instance", "is_create"]),
        ("save_m2m", ["self", "instance", "row", "kwargs"]),
        ("get_result_class", []),
    ],
)
def test_the_hooks_the_resources_override_keep_their_signatures(method, expected):
    found = parameters(getattr(resources.ModelResource, method))
    assert found[: len(expected)] == expected


def test_the_result_members_the_adapter_uses_are_there():
    result = Result()
    assert result.base_errors == [] and result.invalid_rows == [] and result.error_rows == []
    assert parameters(Result.row_errors) == ["self"]
    assert parameters(Result.append_base_error) == ["self", "error"]
    assert parameters(Error) == ["error", "row", "number"]
    invalid = InvalidRow(1, ValidationError({"kind": ["x"]}), ())
    assert invalid.error_dict == {"kind": ["x"]}


def test_an_invalid_row_is_numbered_as_in_the_file():
    dataset = departments(["dept-x", "部门戊", "bureau"], ["dept-y", "部门己", "space"])
    result = DepartmentResource().import_data(dataset)
    # The library counts data rows from 1; the file's header is row 1.
    assert [row.number for row in result.invalid_rows] == [3]
    assert list(result.invalid_rows[0].error_dict) == ["kind"]
    assert [(row, name) for row, name, _ in result.problems()] == [(3, "kind")]
    assert not Department.objects.exists()


class Exploding(DepartmentResource):
    """A department row named "boom" fails with an error that is not a validation error."""

    def before_import_row(self, row, **kwargs):
        if row[self.fields["slug"].column_name] == "boom":
            raise RuntimeError("boom")
        super().before_import_row(row, **kwargs)

    class Meta:
        model = Department


def test_a_row_error_is_numbered_as_in_the_file_for_the_admin_and_for_files():
    dataset = departments(["dept-x", "部门戊", "bureau"], ["boom", "部门己", "bureau"])
    result = Exploding().import_data(dataset)
    assert result.has_errors()
    assert [row.number for row in result.error_rows] == [3]
    (line, errors), *_ = result.row_errors()  # what the admin's preview shows as the line
    assert line == 3 and [e.number for e in errors] == [3]
    assert [(row, name, str(m)) for row, name, m in result.problems()] == [(3, None, "boom")]
    assert not Department.objects.exists()


def test_a_batch_the_database_refuses_is_an_error_of_the_import(client, administrator):
    # Two new departments with one name: each row is valid on its own (the name is free
    # in the database), so only the batch's insert finds out.
    dataset = departments(["dept-x", "部门戊", "bureau"], ["dept-y", "部门戊", "bureau"])
    result = DepartmentResource().import_data(dataset)
    assert result.has_errors() and not result.has_validation_errors()
    (error,) = result.base_errors
    assert [(row, name) for row, name, _ in result.problems()] == [(0, None)]
    assert not Department.objects.exists()

    text = "slug,name,kind\ndept-x,部门戊,bureau\ndept-y,部门戊,bureau\n"
    outcome = import_file(DepartmentResource(), io.BytesIO(text.encode()), "csv")
    assert [(row, column) for row, column, _ in outcome.errors] == [(0, "")]

    client.force_login(administrator)
    upload = io.BytesIO(text.encode())
    upload.name = "departments.csv"
    response = client.post(
        reverse("admin:projects_department_import"), {"import_file": upload, "format": 0}
    )
    shown = escape(str(response.context["result"].base_errors[0].error))
    assert shown in response.content.decode()
    assert not response.context.get("confirm_form")
    assert not Department.objects.exists()


def test_each_resource_has_its_own_widgets_and_so_its_own_lookups():
    first, second = ProjectResource(), ProjectResource()
    for name in ["lead_department", "partner_departments", "chapters"]:
        assert first.fields[name].widget is not second.fields[name].widget
    first.fields["lead_department"].widget.cache["dept-a"] = object()
    assert second.fields["lead_department"].widget.cache == {}


def test_a_resource_for_scripts_keeps_everything_but_the_html_diff(department_a):
    scripted = ProjectResource.for_scripts()
    assert issubclass(scripted, ProjectResource)
    assert scripted().import_headers() == ProjectResource().import_headers()
    dataset = tablib.Dataset(
        ["LW-TRA-070", "新道路", "transport", "dept-a"],
        headers=["code", "name", "category", "lead_department"],
    )
    previewed = ProjectResource().import_data(dataset, dry_run=True)
    loaded = scripted().import_data(dataset, dry_run=True)
    assert previewed.rows[0].diff and loaded.rows[0].diff is None
    assert previewed.totals["new"] == loaded.totals["new"] == 1


def test_each_resource_names_its_own_fields_columns():
    first = ProjectResource()
    first.fields["code"].column_name = "changed"
    assert ProjectResource().fields["code"].column_name == "项目编号"


def test_an_invalid_row_keeps_its_values_in_the_order_of_the_headers(department_a):
    assert parameters(Result.append_invalid_row) == ["self", "number", "row", "validation_error"]
    dataset = tablib.Dataset(["dept-y", None, "space"], headers=["kind", "name", "slug"][::-1])
    result = DepartmentResource().import_data(dataset)
    (invalid,) = result.invalid_rows
    shown = dict(zip(result.diff_headers, invalid.values, strict=True))
    # An empty cell and a column the file lacks are both shown empty.
    assert shown == {
        "单位代码": "dept-y",
        "单位名称": "",
        "单位简称": "",
        "英文名称": "",
        "单位类型": "space",
        "联系方式": "",
    }
    assert ("单位类型", True) in [
        (h, wrong) for h, (_v, wrong) in zip(result.diff_headers, invalid.cells, strict=True)
    ]


def test_the_export_form_still_labels_each_field_through_one_method(client, administrator):
    from import_export.forms import SelectableFieldsExportForm

    assert parameters(SelectableFieldsExportForm._get_field_label) == [
        "self",
        "resource",
        "field_name",
    ]
    client.force_login(administrator)
    form = client.get(reverse("admin:projects_project_export")).context["form"]
    labels = [
        str(f.label) for name, f in form.fields.items() if name.startswith("projectresource_")
    ]
    assert labels[:2] == ["项目编号 (code)", "项目名称 (name)"]
