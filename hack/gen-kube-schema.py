#!/usr/bin/env python3
"""Generates Sources/KubeModel/Schema+Generated.swift: the field structure of the
Kubernetes API types the project serves, read from the model classes of the official `kubernetes`
Python client (PyPI; generated from Kubernetes' own OpenAPI). Patch strategies, list types and
the few types Python does not distinguish (Quantity, IntOrString, MicroTime, int64) are added by
Schema+PatchStrategies.swift and the overrides below.

    python3 -m venv /tmp/k8spy && /tmp/k8spy/bin/pip install --no-deps kubernetes==37.0.2
    /tmp/k8spy/bin/python hack/gen-kube-schema.py > Sources/KubeModel/Schema+Generated.swift
"""
import ast
import os
import re
import sys

import importlib.util

# Located without importing (the client's runtime dependencies are not needed).
MODELS = os.path.join(os.path.dirname(importlib.util.find_spec("kubernetes").origin), "client", "models")

ROOTS = [
    "V1Pod", "V1PodList", "V1Service", "V1ServiceList", "V1Endpoints", "V1EndpointsList",
    "V1PersistentVolume", "V1PersistentVolumeList", "V1PersistentVolumeClaim", "V1PersistentVolumeClaimList",
    "CoreV1Event", "CoreV1EventList", "V1ConfigMap", "V1ConfigMapList", "V1Secret", "V1SecretList",
    "V1Namespace", "V1NamespaceList", "V1Node", "V1NodeList", "V1Binding",
    "V1StatefulSet", "V1StatefulSetList", "V1ControllerRevision", "V1ControllerRevisionList",
    "V1StorageClass", "V1StorageClassList", "V1EndpointSlice", "V1EndpointSliceList",
    "V1Lease", "V1LeaseList", "V1Scale", "V1Status", "V1DeleteOptions", "V1WatchEvent",
]

META = {"ObjectMeta", "ListMeta", "LabelSelector", "LabelSelectorRequirement", "ManagedFieldsEntry",
        "OwnerReference", "Status", "StatusDetails", "StatusCause", "Condition", "DeleteOptions",
        "Preconditions", "WatchEvent", "Time", "MicroTime", "FieldsV1"}
APPS = {"StatefulSet", "StatefulSetList", "StatefulSetSpec", "StatefulSetStatus", "StatefulSetCondition",
        "StatefulSetUpdateStrategy", "RollingUpdateStatefulSetStrategy", "StatefulSetOrdinals",
        "StatefulSetPersistentVolumeClaimRetentionPolicy", "ControllerRevision", "ControllerRevisionList"}
STORAGE = {"StorageClass", "StorageClassList"}
DISCOVERY = {"EndpointSlice", "EndpointSliceList", "Endpoint", "EndpointConditions", "EndpointHints",
             "EndpointPort", "ForZone", "ForNode"}
COORDINATION = {"Lease", "LeaseList", "LeaseSpec"}
AUTOSCALING = {"Scale", "ScaleSpec", "ScaleStatus"}
GROUPS = {"core": ("", "io.k8s.api.core.v1"), "apps": ("apps", "io.k8s.api.apps.v1"),
          "storage": ("storage.k8s.io", "io.k8s.api.storage.v1"),
          "discovery": ("discovery.k8s.io", "io.k8s.api.discovery.v1"),
          "coordination": ("coordination.k8s.io", "io.k8s.api.coordination.v1"),
          "autoscaling": ("autoscaling", "io.k8s.api.autoscaling.v1")}

# Python "object" fields and the Kubernetes type they are.
OBJECT_FIELDS = {
    ("io.k8s.api.core.v1.HTTPGetAction", "port"): "intorstring",
    ("io.k8s.api.core.v1.TCPSocketAction", "port"): "intorstring",
    ("io.k8s.api.core.v1.ServicePort", "targetPort"): "intorstring",
    ("io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy", "maxUnavailable"): "intorstring",
    ("io.k8s.api.apps.v1.ControllerRevision", "data"): "rawextension",
    ("io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry", "fieldsV1"): "fieldsv1",
    ("io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent", "object"): "rawextension",
}
QUANTITY_MAPS = {("io.k8s.api.core.v1.ResourceRequirements", "limits"), ("io.k8s.api.core.v1.ResourceRequirements", "requests"),
                 ("io.k8s.api.core.v1.VolumeResourceRequirements", "limits"), ("io.k8s.api.core.v1.VolumeResourceRequirements", "requests"),
                 ("io.k8s.api.core.v1.PersistentVolumeSpec", "capacity"), ("io.k8s.api.core.v1.PersistentVolumeClaimStatus", "capacity"),
                 ("io.k8s.api.core.v1.PersistentVolumeClaimStatus", "allocatedResources"), ("io.k8s.api.core.v1.NodeStatus", "capacity"),
                 ("io.k8s.api.core.v1.NodeStatus", "allocatable"), ("io.k8s.api.core.v1.PodSpec", "overhead")}
QUANTITY_FIELDS = {("io.k8s.api.core.v1.EmptyDirVolumeSource", "sizeLimit"), ("io.k8s.api.core.v1.ResourceFieldSelector", "divisor")}
MICROTIME = {("io.k8s.api.coordination.v1.LeaseSpec", "acquireTime"), ("io.k8s.api.coordination.v1.LeaseSpec", "renewTime"),
             ("io.k8s.api.core.v1.Event", "eventTime"), ("io.k8s.api.core.v1.EventSeries", "lastObservedTime")}
INT64 = {"generation", "observedGeneration", "activeDeadlineSeconds", "terminationGracePeriodSeconds", "runAsUser",
         "runAsGroup", "fsGroup", "supplementalGroups", "deletionGracePeriodSeconds", "gracePeriodSeconds", "revision",
         "expirationSeconds", "seconds", "remainingItemCount", "tolerationSeconds", "defaultMode"}


def k8s_name(py):
    m = re.match(r"^(CoreV1|DiscoveryV1|StorageV1|V1)(.*)$", py)
    if not m:
        raise SystemExit(f"unexpected model {py}")
    prefix, kind = m.groups()
    if prefix == "CoreV1":
        return "io.k8s.api.core.v1." + kind
    if prefix == "DiscoveryV1":
        return "io.k8s.api.discovery.v1." + kind
    if kind in META:
        return "io.k8s.apimachinery.pkg.apis.meta.v1." + kind
    for group, names in (("apps", APPS), ("storage", STORAGE), ("discovery", DISCOVERY),
                         ("coordination", COORDINATION), ("autoscaling", AUTOSCALING)):
        if kind in names:
            return GROUPS[group][1] + "." + kind
    return "io.k8s.api.core.v1." + kind


def load(py):
    path = os.path.join(MODELS, re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", py).lower() + ".py")
    path = path.replace("core_v1", "core_v1").replace("v1_", "v1_")
    if not os.path.exists(path):
        # e.g. V1Endpoints -> v1_endpoints.py, V1HTTPGetAction -> v1_http_get_action.py
        base = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", py)
        base = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", base).lower()
        path = os.path.join(MODELS, base + ".py")
    src = open(path).read()
    types = dict(re.findall(r'"([a-z_0-9]+)": "([^"]+)"', re.search(
        r"openapi_types: ClassVar\[Dict\[str, str\]\] = \{(.*?)\n    \}", src, re.S).group(1)))
    attrs = dict(re.findall(r'"([a-z_0-9]+)": "([^"]+)"', re.search(
        r"attribute_map: ClassVar\[Dict\[str, str\]\] = \{(.*?)\n    \}", src, re.S).group(1)))
    required = set()
    for m in re.finditer(r"^    ([a-z_0-9]+): ([^=\n]+?)(?: = (.*))?$", src, re.M):
        attr, annotation, default = m.groups()
        if attr in types and not annotation.startswith("Optional") and (default is None or "default=" not in default):
            required.add(attr)
    docs = {}
    class_doc = ""
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.ClassDef) and node.name == py:
            class_doc = (ast.get_docstring(node) or "").split("\n\nAttributes:")[0].strip()
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.value, ast.Call):
                    for keyword in item.value.keywords:
                        if keyword.arg == "description":
                            docs[item.target.id] = ast.literal_eval(keyword.value)
    fields = []
    for attr, t in types.items():
        fields.append((attrs[attr], t, attr in required, docs.get(attr, "")))
    return fields, class_doc


def one_line(text):
    """Descriptions on one line: newlines as the two characters \\n."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", " ")


def convert(owner, field, t, refs):
    m = re.match(r"^List\[(.*)\]$", t)
    if m:
        return "[" + convert(owner, field, m.group(1), refs) + "]"
    m = re.match(r"^Dict\[str, (.*)\]$", t)
    if m:
        if (owner, field) in QUANTITY_MAPS:
            return "{quantity}"
        return "{" + convert(owner, field, m.group(1), refs) + "}"
    if t == "str":
        if (owner, field) in QUANTITY_FIELDS:
            return "quantity"
        return "string"
    if t == "int":
        return "int64" if field in INT64 else "int32"
    if t == "bool":
        return "boolean"
    if t == "float":
        return "double"
    if t in ("bytes", "bytearray"):
        return "byte"
    if t == "datetime":
        return "microtime" if (owner, field) in MICROTIME else "time"
    if t == "object":
        kind = OBJECT_FIELDS.get((owner, field))
        if kind is None:
            raise SystemExit(f"unmapped object field {owner}.{field}")
        return kind
    refs.append(t)
    return "@" + k8s_name(t)


def main():
    seen = {}
    queue = list(ROOTS)
    while queue:
        py = queue.pop(0)
        name = k8s_name(py)
        if name in seen:
            continue
        refs = []
        loaded, doc = load(py)
        fields = [(json, convert(name, json, t, refs), req, desc) for json, t, req, desc in loaded]
        seen[name] = (fields, doc)
        queue.extend(refs)
    out = sys.stdout
    out.write("// Code generated by hack/gen-kube-schema.py from the `kubernetes` Python client\n")
    out.write("// (Kubernetes release-1.37 OpenAPI). DO NOT EDIT.\n\n")
    out.write("extension Schema {\n")
    out.write("    /// `@definition<TAB>description` lines, then one `field type<TAB>description` line per\n")
    out.write("    /// field (`!` marks required; `\\\\n` in a description is a newline).\n")
    out.write('    static let generated = #"""\n')
    for name in sorted(seen):
        fields, doc = seen[name]
        out.write(f"@{name}\t{one_line(doc)}\n")
        for json, t, req, desc in sorted(fields):
            out.write(f"{'!' if req else ''}{json} {t}\t{one_line(desc)}\n")
    out.write('"""#\n}\n')


main()
