# METADATA
# title: Admin or ML service port open to the internet
# description: >-
#   SSH (22), RDP (3389), Jupyter (8888), the Ray dashboard (8265) and Ray client (10001), or
#   all ports, reachable from 0.0.0.0/0 or ::/0 through a security group, firewall or network
#   security rule. Critical for Ray, Jupyter and all ports (remote code execution by design),
#   high otherwise.
# scope: package
# custom:
#   id: GR-SEC-003
#   severity: high
#   category: security
#   remediation: "Restrict the source to a VPN, bastion or corporate CIDR, or reach the service through a private endpoint or an authenticated tunnel."
#   remediation_by:
#     aws: "Restrict cidr_blocks/cidr_ipv4 to a VPN, bastion or corporate CIDR, or reach the instance through SSM Session Manager port forwarding or a private load balancer."
#     google: "Restrict source_ranges to a VPN or corporate CIDR (or IAP's 35.235.240.0/20 for IAP TCP forwarding), or reach the VM through IAP instead of a public port."
#     azure: "Restrict source_address_prefix(es) to a VPN or corporate CIDR or the VirtualNetwork service tag, or reach the VM through Azure Bastion or a private endpoint."
#   config: []
#   input: resources
package guardrails.policy.gr_sec_003

import data.guardrails.lib.util
import rego.v1

ports := [
	{"port": 22, "name": "22 (SSH)", "critical": false},
	{"port": 3389, "name": "3389 (RDP)", "critical": false},
	{"port": 8265, "name": "8265 (Ray dashboard)", "critical": true},
	{"port": 8888, "name": "8888 (Jupyter)", "critical": true},
	{"port": 10001, "name": "10001 (Ray client)", "critical": true},
]

world := {"0.0.0.0/0", "::/0", "*", "Internet", "Any"}

deny := [f |
	some r in input.resources
	util.live(r)
	ranges := open_ranges(r)
	count(ranges) > 0
	exposed := exposure(ranges)
	count(exposed.names) > 0
	f := {
		"resource": r.id,
		"severity": exposed.severity,
		"message": concat("", ["opens ", concat(", ", exposed.names), " to the internet"]),
	}
]

all_ports(ranges) if {
	some rg in ranges
	rg[0] <= 0
	rg[1] >= 65535
}

exposure(ranges) := {"names": ["all ports"], "severity": "critical"} if all_ports(ranges)

exposure(ranges) := {"names": names, "severity": severity} if {
	not all_ports(ranges)
	hits := [p | some p in ports; some rg in ranges; rg[0] <= p.port; p.port <= rg[1]]
	names := sort({p.name | some p in hits})
	severity := level(hits)
}

level(hits) := "critical" if {
	some p in hits
	p.critical
} else := "high"

open_ranges(r) := array.concat(array.concat(array.concat(sg(r), sg_rule(r)), vpc_rule(r)), array.concat(gcp(r), azure(r)))

num(v) := v if is_number(v)

num(v) := to_number(v) if {
	is_string(v)
	regex.match(`^[0-9]+$`, v)
}

# aws_security_group ingress blocks.
sg(r) := [rg |
	r.type == "aws_security_group"
	some rule in util.blocks(r.attributes.ingress)
	is_object(rule)
	aws_world(object.get(rule, "cidr_blocks", null), object.get(rule, "ipv6_cidr_blocks", null))
	rg := aws_range(object.get(rule, "protocol", null), object.get(rule, "from_port", null), object.get(rule, "to_port", null))
]

sg_rule(r) := [rg |
	r.type == "aws_security_group_rule"
	r.attributes.type == "ingress"
	a := r.attributes
	aws_world(object.get(a, "cidr_blocks", null), object.get(a, "ipv6_cidr_blocks", null))
	rg := aws_range(object.get(a, "protocol", null), object.get(a, "from_port", null), object.get(a, "to_port", null))
]

vpc_rule(r) := [rg |
	r.type == "aws_vpc_security_group_ingress_rule"
	a := r.attributes
	some cidr in [object.get(a, "cidr_ipv4", null), object.get(a, "cidr_ipv6", null)]
	cidr in world
	rg := aws_range(object.get(a, "ip_protocol", null), object.get(a, "from_port", null), object.get(a, "to_port", null))
]

aws_world(v4, v6) if {
	some c in util.blocks(v4)
	c in world
}

aws_world(v4, v6) if {
	some c in util.blocks(v6)
	c in world
}

aws_range(protocol, from, to) := [0, 65535] if {
	protocol in {"-1", -1, "all"}
} else := [num(from), num(to)]

gcp(r) := [rg |
	r.type == "google_compute_firewall"
	not r.attributes.direction == "EGRESS"
	some source in util.blocks(r.attributes.source_ranges)
	source in world
	some allow in util.blocks(r.attributes.allow)
	some rg in gcp_ranges(allow)
]

gcp_ranges(allow) := [[0, 65535]] if {
	count(util.blocks(object.get(allow, "ports", null))) == 0
} else := [port_range(p) | some p in allow.ports]

port_range(p) := [num(parts[0]), num(parts[1])] if {
	parts := split(p, "-")
	count(parts) == 2
} else := [0, 65535] if {
	p == "*"
} else := [num(p), num(p)]

azure(r) := [rg |
	some rule in azure_rules(r)
	rule.direction == "Inbound"
	rule.access == "Allow"
	azure_world(rule)
	some p in array.concat(
		util.blocks(object.get(rule, "destination_port_range", null)),
		util.blocks(object.get(rule, "destination_port_ranges", null)),
	)
	rg := port_range(p)
]

azure_rules(r) := [r.attributes] if {
	r.type == "azurerm_network_security_rule"
} else := util.blocks(r.attributes.security_rule) if {
	r.type == "azurerm_network_security_group"
} else := []

azure_world(rule) if rule.source_address_prefix in world

azure_world(rule) if {
	some p in util.blocks(rule.source_address_prefixes)
	p in world
}
