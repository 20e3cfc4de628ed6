"""The form's serializers build their fields once per class and make them again per use
(``yilian.api.fields.FieldsBuiltOnce``): each use must still get fields of its own, or
two requests answered at once would bind one field to two serializers."""

from __future__ import annotations

from yilian.api.applications import ApplicationSerializer


def _fields(serializer) -> dict:
    return dict(serializer.fields.items())


def test_each_use_gets_fields_of_its_own():
    first, second = _fields(ApplicationSerializer()), _fields(ApplicationSerializer())
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] is not second[name], name
        assert first[name].parent is not second[name].parent, name


def test_nested_serializers_and_list_children_are_not_shared():
    first, second = _fields(ApplicationSerializer()), _fields(ApplicationSerializer())
    # A list of investors: its child serializer and that child's own fields.
    assert first["investors"].child is not second["investors"].child
    assert first["investors"].child.fields["name"] is not \
        second["investors"].child.fields["name"]
    # A list field's child field (seals: each a choice).
    assert first["seals"].child is not second["seals"].child
    assert first["seals"].child.parent is first["seals"]


def test_fields_made_again_behave_as_declared():
    fields = _fields(ApplicationSerializer())
    built = ApplicationSerializer._fields_built_once
    for name, field in fields.items():
        assert type(field) is type(built[name]), name
        assert field.required == built[name].required, name
        assert field.read_only == built[name].read_only, name
        assert getattr(field, "max_length", None) == getattr(built[name], "max_length", None)
        assert getattr(field, "choices", None) == getattr(built[name], "choices", None), name
