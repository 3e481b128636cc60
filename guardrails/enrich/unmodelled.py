"""The catch-all: accelerators named by a resource the enrichment does not model.

Sizing knows a fixed set of resource types and kinds. Anything else whose content names an
accelerator would pass with no GPU and $0, so such a resource gets
``facts.accelerator_unknown`` (GR-INPUT-001 reports it as ``unknown``), naming the type and the
path where the accelerator was seen. The rule, chosen to flag what can run or provision
accelerators and little else:

* **What counts as naming an accelerator.** Anywhere in a key or a string value: an
  accelerator resource name (``nvidia.com/gpu``, ``nvidia.com/mig-*``, ``amd.com/gpu``,
  ``google.com/tpu``, ``habana.ai/*``, ``aws.amazon.com/neuron*``, ``gpu.intel.com/*``), a DRA
  device class (``gpu.nvidia.com``) or an accelerator node label key
  (``cloud.google.com/gke-accelerator``, ...). These names are distinctive enough that a
  script or a Helm values string naming one is taken at its word (unknown is the safe side:
  such a string often *is* a pod spec). A whole string value that is a GPU/TPU instance or
  machine type (a catalog type, the p/g/inf/trn/dl, a2/a3/g2, ct* and Azure N families) or a
  GCP accelerator type (``nvidia-tesla-t4``): whole values only, since such short tokens in
  prose are not worth a finding.
* **Where it is not looked for.** Tolerations (tolerating a GPU taint uses no GPU); a
  Kubernetes object's own ``metadata`` (its labels and
  annotations describe it; ``last-applied-configuration`` repeats the spec) and ``status``;
  Terraform ``tags``/``labels``; Secrets (never read for this).
* **Training runtimes.** A TrainingRuntime/ClusterTrainingRuntime is counted with the TrainJobs
  that name it; one that no TrainJob in the scan names, whose pods name an accelerator, is
  unknown (its GPUs run as soon as a TrainJob uses it).
* **What is not flagged.** Modelled types and kinds (their sizing decides), data sources and
  modules (GR-INPUT-001 reports unexpanded modules itself), and kinds that only cap, describe
  or template accelerators for a workload that is modelled: ResourceQuota, LimitRange,
  DeviceClass, ResourceSlice, ResourceClaim(Template), ServingRuntime,
  Kueue/Volcano queues, PriorityClass, autoscalers, CustomResourceDefinition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import islice
from typing import Any

from guardrails.enrich.accelerators import tpu_machine, tpu_type
from guardrails.enrich.catalog import GpuCatalog, model_from_text
from guardrails.errors import InputError
from guardrails.lazy_regex import LazyPattern
from guardrails.model import Resource

#: Kinds/types that cap, describe or template accelerators and run none themselves.
DESCRIPTIVE = frozenset(
    {
        "ResourceQuota",
        "LimitRange",
        "DeviceClass",
        "ResourceSlice",
        "ResourceClaim",
        "ResourceClaimTemplate",
        "ServingRuntime",
        "ClusterServingRuntime",
        "Queue",
        "ClusterQueue",
        "LocalQueue",
        "ResourceFlavor",
        "WorkloadPriorityClass",
        "PriorityClass",
        "HorizontalPodAutoscaler",
        "ScaledObject",
        "CustomResourceDefinition",
        "Secret",
        "kubernetes_resource_quota",
        "kubernetes_resource_quota_v1",
        "kubernetes_limit_range",
        "kubernetes_limit_range_v1",
        "kubernetes_priority_class",
        "kubernetes_priority_class_v1",
        "kubernetes_secret",
        "kubernetes_secret_v1",
    }
)
_NAMES = LazyPattern(
    r"(?:nvidia|amd)\\?\.com/(?:gpu|mig-[0-9a-z.]+)"
    r"|gpu\\?\.intel\\?\.com/[a-z0-9]+"
    r"|google\\?\.com/tpu"
    r"|habana\\?\.ai/[a-z0-9]+"
    r"|aws\\?\.amazon\\?\.com/neuron[a-z]*"
    r"|\b(?:gpu|mig|tpu)\.(?:nvidia|amd|intel|google)\.com\b"
    r"|cloud\.google\.com/gke-(?:accelerator|tpu-[a-z]+)"
    r"|karpenter\.k8s\.aws/instance-gpu-[a-z]+"
    r"|karpenter\.azure\.com/sku-gpu-[a-z]+"
    r"|kubernetes\.azure\.com/accelerator",
    re.IGNORECASE,
)
#: Every match of _NAMES contains one of these: a cheap test first keeps large strings fast.
_ANCHORS = (
    "gpu",
    "tpu",
    "mig.",
    "habana",
    "neuron",
    "accelerator",
    "nvidia",
    "amd.com",
    "amd\\.com",
)


_ANCHOR = re.compile("|".join(re.escape(anchor) for anchor in _ANCHORS), re.IGNORECASE)


def _named(text: str) -> str | None:
    """The accelerator name in ``text``, else None."""
    if not _ANCHOR.search(text):
        return None
    found = _NAMES.search(text)
    return found.group(0).replace("\\", "") if found else None


_SKIPPED_KUBERNETES = frozenset({"metadata", "status"})
_SKIPPED_TERRAFORM = frozenset(
    {"tags", "tags_all", "labels", "resource_labels", "terraform_labels", "effective_labels"}
)
_PLAIN_KEY = LazyPattern(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_TOLERATIONS = frozenset({"tolerations", "toleration"})
#: Walk at most this many values per resource (parsers bound the input; this bounds the work).
_MAX_VALUES = 100_000
_MAX_PATH = 200
#: An embedded YAML/JSON string is parsed only below these sizes (else it is scanned as text).
_MAX_EMBEDDED_CHARS = 256 * 1024
_MAX_EMBEDDED_NODES = 20_000


#: Whole GPU instance/machine/VM type values (stricter than a family prefix, so a file name
#: such as ``p3.json`` or a version such as ``g2.0`` is not one).
_TYPE_VALUE = re.compile(
    r"^(?:ml\.)?(?:p\d+[a-z]*|g\d+[a-z]*|gr\d+|inf\d+|trn\d+[a-z]*|dl\d+[a-z]*)"
    r"\.(?:\d*x?large|metal(?:-\d+xl)?)$"
    r"|^(?:a\d+|g\d+)-(?:highgpu|megagpu|ultragpu|standard|edgegpu)-\d+g?$"
    r"|^standard_n[cdvg]\w*$",
    re.IGNORECASE,
)


def _typed(catalog: GpuCatalog, value: str) -> bool:
    """A whole value that is a GPU/TPU instance, machine or accelerator type."""
    if len(value) > 64:
        return False
    text = value.strip()
    if not text or " " in text:
        return False
    if _TYPE_VALUE.match(text) or tpu_machine(text) or tpu_type(text):
        return True
    spec = catalog.instance(text)
    if spec is not None and spec.gpu_count:
        return True
    lowered = text.lower()
    return lowered.startswith(("nvidia-", "nvidia_")) and model_from_text(text) is not None


def _step(path: str, key: Any) -> str:
    if isinstance(key, int):
        step = f"{path}[{key}]"
    else:
        text = str(key)
        step = f"{path}.{text}" if _PLAIN_KEY.match(text) else f'{path}["{text}"]'
    return step.lstrip(".")


#: A value being walked: (the entry of its container, the key or index leading to it from
#: there, the key's text to check (empty for list items and documents), the value). An
#: embedded document's step is ``_SAME``: it sits at its string's path.
Entry = tuple[Any, Any, str, Any]
_SAME = object()
_NO_KEYS: frozenset[str] = frozenset()
_SCALARS = frozenset({int, float, bool, type(None)})


#: Strings up to this length have their verdict remembered for the run (keys and values
#: repeat across resources: ``instance_type``, ``{}`` policies, ``ClusterIP``).
_MEMO_CHARS = 4096
#: Remembered verdicts and characters of parsed embedded documents, at most.
_MEMO_ENTRIES = 200_000
_MEMO_DOCUMENT_CHARS = 256 * 1024


class AcceleratorFinder:
    """Finds the first accelerator a resource's content names (:meth:`find`), remembering
    across the resources of one run what each key and short string holds."""

    def __init__(self, catalog: GpuCatalog) -> None:
        self.catalog = catalog
        self._keys: dict[str, str | None] = {}
        #: Keys known to name no accelerator and not to be a toleration (a walk steps into
        #: their values): a mapping whose keys all are here is screened in one set test.
        self._plain_keys: set[str] = {
            k for k in _SKIPPED_KUBERNETES | _SKIPPED_TERRAFORM if not _named(k)
        }
        #: A string's embedded documents, else the accelerator it names, else None.
        self._strings: dict[str, list[Any] | str | None] = {}
        self._document_chars = 0

    def find(
        self, attributes: Mapping[str, Any], skipped: frozenset[str]
    ) -> tuple[str, str] | None:
        """(path, accelerator named) of the first accelerator in ``attributes``, else None.

        A depth-first walk in document order over at most ``_MAX_VALUES`` values. Each value
        carries the keys that lead to it; the dotted path is written only for a hit. Most
        resources name none: :meth:`_names_none` says so first without the walk's bookkeeping.
        """
        if self._names_none(attributes, skipped):
            return None
        stack: list[Entry] = [
            (None, k, str(k), v) for k, v in reversed(list(attributes.items())) if k not in skipped
        ]
        keys, strings = self._keys, self._strings
        seen = 0
        while stack and seen < _MAX_VALUES:
            entry = stack.pop()
            _, _, key, value = entry
            seen += 1
            if key:  # list items and embedded documents have none
                named = keys[key] if key in keys else self._key(key)
                if named:
                    return _path(entry), named
                if key in _TOLERATIONS:
                    continue  # tolerating a GPU taint uses no GPU
            cls = type(value)
            # A child past the values left to walk can never be reached: pushing only the
            # reachable ones keeps a 2M-item list from costing 2M stack entries.
            left = _MAX_VALUES - seen
            if cls is dict or (cls is not str and isinstance(value, Mapping)):
                pairs = list(islice(value.items(), left))
                stack += [(entry, k, str(k), v) for k, v in reversed(pairs)]
            elif cls is list or (cls is not str and isinstance(value, list)):
                items = list(islice(enumerate(value), left))
                stack += [(entry, i, "", v) for i, v in reversed(items)]
            elif isinstance(value, str):
                found = strings[value] if value in strings else self._string(value)
                if found is None:
                    continue
                if isinstance(found, str):
                    return _path(entry), found
                # YAML/JSON inside a string (a helm_release's values): walked as data, so a
                # toleration in it is skipped as in structured attributes.
                if len(found) == 1:
                    stack.append((entry, _SAME, "", found[0]))
                else:
                    documents = list(islice(enumerate(found), _MAX_VALUES - seen))
                    stack += [(entry, i, "", d) for i, d in reversed(documents)]
        return None

    def _names_none(self, attributes: Mapping[str, Any], skipped: frozenset[str]) -> bool:
        """True when :meth:`find` would find nothing: no key or string in ``attributes`` names
        an accelerator and all its values are within the walk's budget (then the walk's order
        and its stopping point do not matter). False when one does, or the screen cannot say
        (too many values, a container of another type): the walk decides."""
        strings, plain = self._strings, self._plain_keys
        # The values are counted before they are queued: past the walk's budget the screen
        # gives up before holding them (a 2M-item list queues nothing).
        seen = len(attributes)
        if seen > _MAX_VALUES:
            return False
        pending: list[Any]
        if type(attributes) is dict and plain.issuperset(attributes):
            pending = [v for k, v in attributes.items() if k not in skipped]
        else:
            pending = []
            if not self._plain(attributes, pending, skipped):
                return False
        while pending:
            value = pending.pop()
            cls = type(value)
            if cls is str:
                found = strings[value] if value in strings else self._string(value)
                if found is None:
                    continue
                if isinstance(found, str):
                    return False
                seen += len(found)  # YAML/JSON documents in the string, walked as data
                if seen > _MAX_VALUES:
                    return False
                pending += found
            elif cls is dict:
                seen += len(value)
                if seen > _MAX_VALUES:
                    return False
                if plain.issuperset(value):
                    pending += value.values()
                elif not self._plain(value, pending, _NO_KEYS):
                    return False
            elif cls is list:
                seen += len(value)
                if seen > _MAX_VALUES:
                    return False
                pending += value
            elif cls not in _SCALARS and isinstance(value, (str, Mapping, list)):
                return False  # a subclass: left to the walk
        return True

    def _plain(
        self, mapping: Mapping[Any, Any], pending: list[Any], skipped: frozenset[str]
    ) -> bool:
        """Queue the values of ``mapping`` whose keys name no accelerator (a toleration's value
        is not looked into); False when a key names one."""
        keys, plain = self._keys, self._plain_keys
        for k, v in mapping.items():
            if k in skipped:
                continue
            key = str(k)
            if key:  # the walk checks no empty key either
                named = keys[key] if key in keys else self._key(key)
                if named:
                    return False
                if key in _TOLERATIONS:
                    continue
                if type(k) is str and key in keys and len(plain) < _MEMO_ENTRIES:
                    plain.add(key)
            pending.append(v)
        return True

    def _key(self, key: str) -> str | None:
        named = _named(key)
        if len(key) <= _MEMO_CHARS and len(self._keys) < _MEMO_ENTRIES:
            self._keys[key] = named
        return named

    def _string(self, value: str) -> list[Any] | str | None:
        documents = _embedded(value)
        found: list[Any] | str | None
        if documents is not None:
            found = documents
        else:
            found = _named(value) or (value.strip() if _typed(self.catalog, value) else None)
        # Parsed documents are kept within a budget: they are larger than their text.
        parsed = len(value) if documents is not None else 0
        if (
            len(value) <= _MEMO_CHARS
            and len(self._strings) < _MEMO_ENTRIES
            and self._document_chars + parsed <= _MEMO_DOCUMENT_CHARS
        ):
            self._document_chars += parsed
            self._strings[value] = found
        return found


def find_accelerator(
    attributes: Mapping[str, Any], catalog: GpuCatalog, skipped: frozenset[str]
) -> tuple[str, str] | None:
    """(path, accelerator named) of the first accelerator in ``attributes``, else None."""
    return AcceleratorFinder(catalog).find(attributes, skipped)


def _path(entry: Entry | None) -> str:
    keys: list[Any] = []
    while entry is not None:
        if entry[1] is not _SAME:
            keys.append(entry[1])
        entry = entry[0]
    path = ""
    for key in reversed(keys):
        path = _step(path, key)
        if len(path) > _MAX_PATH:
            break
    return path[:_MAX_PATH]


def _embedded(text: str) -> list[Any] | None:
    """The documents of a YAML/JSON mapping or list held in a string, else None.

    Only strings that look structured (a line break or a leading ``{``/``[``) and fit the
    bounds are parsed, through the project's safe loader; a string that does not parse, or
    holds only scalars, is scanned as text by the caller."""
    if len(text) > _MAX_EMBEDDED_CHARS or not ("\n" in text or text.lstrip()[:1] in ("{", "[")):
        return None
    from guardrails.inputs.safe_yaml import load_yaml  # PyYAML only when a string may be YAML

    try:
        loaded = load_yaml("<embedded>", text, _MAX_EMBEDDED_NODES)
    except InputError:
        return None
    documents = [d for d in loaded.documents if isinstance(d, (Mapping, list))]
    return documents or None


#: Kubeflow Trainer v2 runtimes: counted with the TrainJobs that name them.
RUNTIME_KINDS = ("TrainingRuntime", "ClusterTrainingRuntime")


def unused_runtime(resource: Resource, finder: AcceleratorFinder) -> str | None:
    """A training runtime no TrainJob in the scan names, whose pods name an accelerator."""
    hit = finder.find(resource.attributes, _SKIPPED_KUBERNETES)
    if hit is None:
        return None
    path, named = hit
    return (
        f"names an accelerator ({named}) at {path}, and no TrainJob in the scan uses this "
        "runtime: its accelerators are counted only with the TrainJobs that name it"
    )


def unmodelled_accelerator(
    resource: Resource, finder: AcceleratorFinder, kubernetes: bool | None = None
) -> str | None:
    """Why the accelerators a resource of an unmodelled type names are unknown, else None.

    The caller asks only for resources its sizing does not model (``kubernetes``:
    ``resource.is_kubernetes_object`` when it has it)."""
    if resource.mode != "managed" or resource.unevaluated or resource.type in DESCRIPTIVE:
        return None
    attributes = resource.attributes
    if type(attributes) is not dict and not isinstance(attributes, Mapping):
        return None
    if kubernetes is None:
        kubernetes = resource.is_kubernetes_object
    skipped = _SKIPPED_KUBERNETES if kubernetes else _SKIPPED_TERRAFORM
    hit = finder.find(attributes, skipped)
    if hit is None:
        return None
    path, named = hit
    return (
        f"names an accelerator ({named}) at {path}, but guardrails does not "
        f"model {resource.type}: its accelerators are not counted or priced"
    )
