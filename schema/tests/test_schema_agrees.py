"""The JSON Schema judges the pipeline-file corpus schema/cases/*.yml as the loader does.

Each case says in its header whether the loader accepts it (`# expect: valid|invalid`), at
which key path it refuses it (`# key:`), and, for the few rules a JSON Schema cannot express,
`# schema: cannot-express <why>`: the schema must then accept the case (so the list of what only
the loader checks stays true). Tests/TerreinTests/SchemaCaseTests.swift runs the same corpus
through the loader. Run: python3 -m pytest -q schema/tests
"""
import json
import pathlib
import re

import jsonschema
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schema" / "pipeline.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
CASES = sorted((ROOT / "schema" / "cases").glob("*.yml"))


class TerreinYAMLLoader(yaml.SafeLoader):
    """YAML 1.1 as Terrein's loader (Yams) reads it: PyYAML's scalar rules, except that a
    date-like plain scalar is text (JSON has no dates) and a key given twice is an error."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        for i, k in enumerate(keys):
            if k in keys[:i]:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {k!r}", node.start_mark)
        return super().construct_mapping(node, deep=deep)


TerreinYAMLLoader.add_constructor("tag:yaml.org,2002:map", TerreinYAMLLoader.construct_mapping)


def header(path):
    h = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"# (why|expect|key|schema): (.*)$", line)
        if m:
            h[m.group(1)] = m.group(2)
    return h


def key_path(error_path):
    """deque(['parameters', 'nature', 'bands_m', 0]) -> 'parameters.nature.bands_m[0]'."""
    s = ""
    for part in error_path:
        s += f"[{part}]" if isinstance(part, int) else (f".{part}" if s else part)
    return s


def schema_errors(path):
    """None when the YAML itself is refused, else the schema's errors."""
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=TerreinYAMLLoader)
    except yaml.YAMLError:
        return None
    return list(VALIDATOR.iter_errors(doc))


def test_the_corpus_is_there():
    expects = [header(p).get("expect") for p in CASES]
    assert expects.count("valid") > 5 and expects.count("invalid") > 40
    assert set(expects) == {"valid", "invalid"}, "every case has `# expect: valid|invalid`"


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_schema_judges_the_case_as_the_loader(path):
    h = header(path)
    errors = schema_errors(path)
    if h["expect"] == "valid":
        assert errors == [], [e.message for e in errors or []]
    elif "schema" in h:
        assert h["schema"].startswith("cannot-express "), h["schema"]
        assert errors == [], ("the schema now refuses this case: drop its `# schema: cannot-express` line",
                              [e.message for e in errors or []])
    else:
        assert errors is None or errors, "the schema accepts a case the loader refuses"
        if errors and "key" in h:
            # The schema refuses it at the loader's key path or at an enclosing one.
            where = [key_path(e.absolute_path) for e in errors]
            assert any(h["key"] == w or h["key"].startswith(w + ".") or h["key"].startswith(w + "[") or w == ""
                       for w in where), (h["key"], where)


@pytest.mark.parametrize("path", sorted((ROOT / "Pipelines").glob("*.yml")), ids=lambda p: p.name)
def test_shipped_pipelines_are_valid(path):
    assert schema_errors(path) == []
