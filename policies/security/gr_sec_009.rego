# METADATA
# title: GPU instance or ML dashboard exposed publicly
# description: >-
#   GPU instances do not get public IP addresses, and the Ray dashboard/client or Jupyter are
#   not exposed through LoadBalancer or NodePort Services (including a Ray head Service from
#   `headGroupSpec.serviceType`): both are how GPU fleets get hijacked for crypto mining. When
#   every Ray workload a Service reaches requires a token (KubeRay `spec.authOptions.mode:
#   token` or `RAY_AUTH_MODE=token` on the head, Ray 2.52+; `facts.ray_auth`), the finding is
#   downgraded to low and says so: the token stops anonymous job submission, but the endpoint
#   is still on the internet. Jupyter exposure is never downgraded.
# scope: package
# custom:
#   id: GR-SEC-009
#   severity: high
#   category: security
#   remediation: "Do not give GPU machines public IPs or expose ML dashboards publicly; reach them through a VPN, a tunnel or an authenticated proxy."
#   remediation_by:
#     aws: "Set associate_public_ip_address = false and launch the GPU instance in a private subnet; reach it through SSM Session Manager or a VPN."
#     google: "Remove access_config from the GPU VM's network_interface so it has no external IP; reach it through IAP TCP forwarding, and use Cloud NAT for outbound traffic."
#     Service: "Make the Service a ClusterIP and reach Ray or Jupyter with kubectl port-forward, an authenticated ingress or a VPN; for Ray also turn on token authentication (spec.authOptions.mode: token on the RayCluster, Ray 2.52+)."
#     kubernetes: "Set headGroupSpec.serviceType to ClusterIP and reach the Ray dashboard with kubectl port-forward, an authenticated ingress or a VPN; turn on token authentication (spec.authOptions.mode: token, Ray 2.52+)."
#   config: []
#   input: resources
package guardrails.policy.gr_sec_009

import data.guardrails.lib.util
import rego.v1

dashboard_ports := {8265, 8888, 10001}

dashboard_kinds := util.types("dashboard_kinds")

deny := array.concat(instances, array.concat(services, ray_heads))

instances := [f |
	some r in input.resources
	util.live(r)
	r.facts.is_gpu
	f := instance_finding(r)
]

instance_finding(r) := f if {
	r.type == "aws_instance"
	r.attributes.associate_public_ip_address == true
	f := {"resource": r.id, "message": concat("", ["is a GPU instance with a public IP address"])}
}

instance_finding(r) := f if {
	r.type == "aws_instance"
	not r.attributes.associate_public_ip_address == true
	path := util.unknown_path(r, "associate_public_ip_address")
	f := {"resource": r.id, "outcome": "unknown", "attribute": path, "message": concat("", ["whether the GPU instance gets a public IP (", path, ") is unknown until apply"])}
}

instance_finding(r) := f if {
	r.type in util.types("gcp_instances")
	some nic in util.blocks(r.attributes.network_interface)
	count(util.blocks(nic.access_config)) > 0
	f := {"resource": r.id, "message": concat("", ["is a GPU instance with a public IP address (access_config)"])}
}

services := [f |
	some r in input.resources
	util.live(r)
	r.type == "Service"
	r.attributes.spec.type in {"LoadBalancer", "NodePort"}
	reasons := exposure(r)
	count(reasons) > 0
	f := service_finding(r, reasons)
]

service_finding(r, reasons) := f if {
	not mitigated(r)
	f := {"resource": r.id, "message": service_message(r, reasons)}
}

service_finding(r, reasons) := f if {
	mitigated(r)
	f := {"resource": r.id, "severity": "low", "message": concat("", [
		service_message(r, reasons),
		"; Ray token authentication is on for ", concat(", ", r.facts.ray_auth.workloads),
		", so only token holders can use it",
	])}
}

service_message(r, reasons) := concat("", ["exposes ", concat(", ", reasons), " through a ", r.attributes.spec.type, " Service"])

# A Ray token guards the Ray dashboard and client only: Jupyter keeps the finding at full
# severity.
mitigated(r) if {
	r.facts.ray_auth.enabled == true
	not jupyter(r)
}

jupyter(r) if {
	some reason in port_reasons(r)
	reason == "port 8888"
}

jupyter(r) if selects_kind(r, "Notebook")

# KubeRay creates the head Service itself: headGroupSpec.serviceType LoadBalancer/NodePort puts
# the dashboard (8265) and client (10001) on the network.
ray_heads := [f |
	some r in input.resources
	util.live(r)
	r.type in util.types("ray_kinds")
	service_type := r.facts.ray_auth.head_service_type
	service_type in {"LoadBalancer", "NodePort"}
	f := head_finding(r, concat("", [service_type, " head Service (", r.facts.ray_auth.head_service_field, ")"]))
]

head_message(service) := concat("", ["exposes the Ray dashboard (8265) and client (10001) through a ", service])

head_finding(r, service_type) := {"resource": r.id, "message": head_message(service_type)} if {
	not r.facts.ray_auth.enabled == true
	not r.facts.ray_auth.mode == "token"
}

# Asked for, but not in effect (a Ray image older than 2.52): say why it still counts.
head_finding(r, service_type) := f if {
	not r.facts.ray_auth.enabled == true
	r.facts.ray_auth.mode == "token"
	f := {"resource": r.id, "message": concat("", [head_message(service_type), "; ", r.facts.ray_auth.why])}
}

head_finding(r, service_type) := f if {
	r.facts.ray_auth.enabled == true
	f := {"resource": r.id, "severity": "low", "message": concat("", [
		head_message(service_type), "; Ray token authentication is on (",
		r.facts.ray_auth.source, "), so only token holders can use it",
	])}
}

exposure(r) := sort(array.concat(port_reasons(r), kind_reasons(r)))

port_reasons(r) := [concat("", ["port ", format_int(p, 10)]) |
	some p in sort({p |
		some port in array_or_empty(object.get(r.attributes.spec, "ports", null))
		is_object(port)
		some key in ["port", "targetPort"]
		p := object.get(port, key, null)
		is_number(p)
		p in dashboard_ports
	})
]

array_or_empty(xs) := xs if {
	is_array(xs)
} else := []

# Edges come from facts.neighbors (each resource's own edges): linear on every engine.
kind_reasons(r) := [concat("", ["a ", k, " workload"]) |
	some k in sort(dashboard_kinds)
	selects_kind(r, k)
]

selects_kind(r, k) if {
	some n in r.facts.neighbors.out
	n.kind == "selects"
	n.type == k
}
