# METADATA
# title: Spot pool with a single instance type
# description: >-
#   A spot EKS node group, ASG or Karpenter NodePool limited to one instance type loses all its
#   capacity when that one spot market is reclaimed; several types (and zones) keep it running.
#   Only resources that can hold several instance types are reported: a GKE or AKS node pool
#   or an Azure scale set has exactly one machine size by design (spread those over several
#   pools instead). The finding names the type.
# scope: package
# custom:
#   id: GR-SPOT-004
#   severity: low
#   category: spot
#   remediation: "Allow several similar instance types so spot capacity can come from more than one market."
#   remediation_by:
#     aws_autoscaling_group: "Add a mixed_instances_policy whose launch_template override lists several similar GPU instance types (for example g5.2xlarge and g6.2xlarge) so spot capacity can come from more than one pool."
#     aws_eks_node_group: "List several similar GPU instance types in instance_types (for example g5.2xlarge and g6.2xlarge) so spot capacity can come from more than one pool."
#     NodePool: "Allow several instance types in the NodePool requirements (node.kubernetes.io/instance-type, or an instance family, with more than one value) so spot capacity can come from more than one pool."
#   config: []
#   input: resources
package guardrails.policy.gr_spot_004

import data.guardrails.lib.util
import rego.v1

# Resources that can hold several instance types (where the remediation is possible).
pools := util.types("multi_type_pools")

deny := [f |
	some r in input.resources
	util.live(r)
	r.type in pools
	r.facts.capacity == "spot"
	n := type_count(r)
	n <= 1
	f := {"resource": r.id, "message": concat("", [
		"uses spot capacity with a single instance type", shown(r),
		"; one reclaimed spot market takes all of its capacity",
	])}
]

shown(r) := concat("", [", ", r.facts.instance_type]) if {
	is_string(r.facts.instance_type)
} else := ""

type_count(r) := count(util.blocks(object.get(r.attributes, "instance_types", []))) if r.type == "aws_eks_node_group"

type_count(r) := count([o |
	some p in util.blocks(r.attributes.mixed_instances_policy)
	some t in util.blocks(p.launch_template)
	some o in util.blocks(t.override)
]) if r.type == "aws_autoscaling_group"

type_count(r) := count([v |
	some req in r.attributes.spec.template.spec.requirements
	req.key == "node.kubernetes.io/instance-type"
	req.operator == "In"
	some v in req.values
]) if {
	r.type == "NodePool"
	pinned(r)
}

type_count(r) := 2 if {
	r.type == "NodePool"
	not pinned(r)
}

pinned(r) if {
	some req in r.attributes.spec.template.spec.requirements
	req.key == "node.kubernetes.io/instance-type"
	req.operator == "In"
}

