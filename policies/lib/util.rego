# Helpers shared by the bundled policies. Linear by construction: no rule here iterates over
# input.resources; callers pass one resource.
package guardrails.lib.util

import rego.v1

# The first path in r.unknown that is `path` itself or an ancestor of it (sorted for stability).
unknown_path(r, path) := found[0] if {
	found := sort([u | some u in r.unknown; covers(u, path)])
	count(found) > 0
}

covers(u, path) if u == path

covers(u, path) if startswith(path, concat("", [u, "."]))

covers(u, path) if startswith(u, concat("", [path, "."]))

# A tag or label by the one key rule: case-insensitive, with the configured `tag_aliases`
# folded in by enrichment (facts.tags is keyed by the lower-case canonical key and holds string
# values only). An empty value counts as missing.
tag(r, key) := value if {
	value := r.facts.tags[lower(key)]
	value != ""
}

has_tag(r, key) if tag(r, key)

# Unknown-until-apply paths that can hold a resource's tags or labels (AWS `tag` blocks on an
# Auto Scaling group, GKE `node_config` labels): a tag check on them is `unknown`, not a miss.
tag_unknowns(r) := sort([u | some u in r.unknown; tag_path(u)])

tag_path(u) if u in data.guardrails.tags.unknown_paths

tag_path(u) if {
	some p in data.guardrails.tags.unknown_paths
	startswith(u, concat("", [p, "."]))
	tagging_word(u)
}

tagging_word(u) if contains(u, "tag")

tagging_word(u) if contains(u, "label")

# The key as the resource writes it (`Env` for a required `environment`), for messages.
tag_key(r, key) := r.facts.tag_keys[lower(key)]

live(r) if {
	r.mode == "managed"
	r.action != "delete"
}

templates(r) := ts if {
	ts := r.workload.pod_templates
} else := []

# Node taints that mark spot/preemptible capacity (policies/data/spot.json).
spot_taint_keys := data.guardrails.spot.taint_keys

# Whole-accelerator resource names, sorted (policies/data/accelerators.json). An array, not a
# set: regopy iterates a set in insertion order, OPA sorted.
gpu_resource_names := sort(object.keys(data.guardrails.accelerators.whole_devices))

# A set of resource types a policy selects by name (policies/data/resource_types.json).
types(name) := data.guardrails.resource_types[name]

# A block attribute (Terraform renders nested blocks as lists) as a list.
blocks(value) := value if is_array(value)

blocks(value) := [value] if is_object(value)

blocks(value) := [] if {
	not is_array(value)
	not is_object(value)
}
