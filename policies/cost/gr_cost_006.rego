# METADATA
# title: Idle GPU without a shutdown path
# description: >-
#   Interactive, dev or batch GPU capacity with nothing that stops it when the work is done or
#   nobody uses it. Fields read from the providers' and projects' own schemas: AWS
#   `aws_sagemaker_notebook_instance` on a GPU instance type (ml.g*/ml.p*) with no
#   `lifecycle_config_name` (the lifecycle configuration is where SageMaker notebook idle
#   auto-stop scripts run); Databricks `databricks_cluster` on a GPU runtime or node type with
#   `autotermination_minutes = 0` (the provider's default is 60; 0 disables auto-termination);
#   Google `google_notebooks_runtime` with `software_config.idle_shutdown = false`; a
#   `google_compute_instance` with GPUs in dev without `scheduling.max_run_duration`;
#   Kubernetes `Job`/`CronJob` (`spec.activeDeadlineSeconds`, `spec.ttlSecondsAfterFinished`),
#   KubeRay `RayJob` (same fields on the RayJob spec) and Kubeflow training jobs (PyTorchJob,
#   TFJob, MPIJob, XGBoostJob, PaddleJob, JAXJob: `spec.runPolicy.activeDeadlineSeconds`,
#   `spec.runPolicy.ttlSecondsAfterFinished`) with GPUs and neither set; a KubeRay `RayCluster`
#   with GPU workers and no `enableInTreeAutoscaling` (without the autoscaler, whose
#   `autoscalerOptions.idleTimeoutSeconds` removes idle workers, GPU workers run until someone
#   deletes the cluster); a Kubeflow `Notebook` with GPUs when culling is off — the notebook
#   controller culls idle notebooks only with `ENABLE_CULLING=true` (default false, idle time
#   `CULL_IDLE_TIME`), so a GPU Notebook is reported unless a notebook-controller Deployment in
#   the scan enables it. SageMaker Studio: an `aws_sagemaker_domain` whose
#   `default_user_settings` (or an `aws_sagemaker_user_profile` whose `user_settings`) sets
#   `jupyter_lab_app_settings` / `code_editor_app_settings` ->
#   `app_lifecycle_management.idle_settings.lifecycle_management` other than `ENABLED`
#   (idle shutdown of Studio apps is off unless an administrator enables it; a user profile
#   inherits the domain's setting, so only an explicit `DISABLED` there is reported).
#   Vertex AI Workbench: a `google_workbench_instance` with GPUs (`gce_setup.accelerator_configs`
#   or an a2/a3/a4/g2 machine type) whose `gce_setup.metadata["idle-timeout-seconds"]` is not a
#   positive number of seconds — Google documents idle shutdown as on by default after 10800 s
#   (180 min) when the key is absent, so only an explicit value can turn it off
#   (cloud.google.com/vertex-ai/docs/workbench/instances/idle-shutdown). Azure ML: the azurerm
#   provider's `azurerm_machine_learning_compute_instance` has no idle-shutdown argument
#   (hashicorp/terraform-provider-azurerm#20973) and ARM's `idleTimeBeforeShutdown` is unset
#   unless given, so a GPU (`Standard_N*`) compute instance is reported unless an `azapi_*`
#   resource in the scan that references it sets `idleTimeBeforeShutdown` or a `Stop` entry in
#   `schedules.computeStartStop`; an `azapi_resource` of type
#   `Microsoft.MachineLearningServices/workspaces/computes` creating a GPU `ComputeInstance` is
#   read the same way. An idle timeout longer than `max_idle_shutdown_minutes` (default 1440, a
#   day: the longest the Vertex console offers) counts as no shutdown path. Settings unknown
#   until apply are `unknown`.
# scope: package
# custom:
#   id: GR-COST-006
#   severity: medium
#   category: cost
#   remediation: Give the capacity a way to stop — a SageMaker lifecycle configuration with an idle auto-stop, Studio `idle_settings { lifecycle_management = "ENABLED" }`, Databricks `autotermination_minutes` > 0, Vertex `idle_shutdown` or a Workbench `idle-timeout-seconds` within `max_idle_shutdown_minutes`, Azure ML `idleTimeBeforeShutdown` (via azapi), GCE `scheduling.max_run_duration`, Job/RayJob/Kubeflow `activeDeadlineSeconds` or `ttlSecondsAfterFinished`, Ray autoscaling with `idleTimeoutSeconds`, or `ENABLE_CULLING=true` on the Kubeflow notebook controller.
#   remediation_by:
#     aws_sagemaker_notebook_instance: "Attach a SageMaker lifecycle configuration (lifecycle_config_name) whose script stops the notebook instance when it is idle."
#     aws_sagemaker_domain: "Turn on idle shutdown for the Studio apps: app_lifecycle_management.idle_settings { lifecycle_management = \"ENABLED\" } with idle_timeout_in_minutes within `max_idle_shutdown_minutes`."
#     aws_sagemaker_user_profile: "Turn on idle shutdown for the Studio apps: app_lifecycle_management.idle_settings { lifecycle_management = \"ENABLED\" } with idle_timeout_in_minutes within `max_idle_shutdown_minutes`."
#     databricks: "Set autotermination_minutes above 0 on the cluster (for example 60) so idle GPU clusters shut down."
#     google: "Set scheduling.max_run_duration (with instance_termination_action) on the GPU VM, idle_shutdown on a Vertex AI runtime, or the idle-timeout-seconds metadata (gce_setup) on a Workbench instance within `max_idle_shutdown_minutes`."
#     azure: "Give the Azure ML compute instance an idle shutdown (idleTimeBeforeShutdown, set through azapi because azurerm has no argument for it) or a stop schedule."
#     kubernetes: "Give the workload an end: activeDeadlineSeconds or ttlSecondsAfterFinished on the Job, RayJob or Kubeflow job (runPolicy), Ray autoscaling with idleTimeoutSeconds, or ENABLE_CULLING=true on the Kubeflow notebook controller."
#   config: [max_idle_shutdown_minutes]
#   input: resources
#   aggregates: {culling_enabled: boolean, idle_patchers: set}
package guardrails.policy.gr_cost_006

import data.guardrails.lib.util
import rego.v1

deny := array.concat(
	[f |
		some r in input.resources
		util.live(r)
		f := finding(r)
	],
	[f |
		some r in input.resources
		studio_settings[r.type]
		util.live(r)
		some app in studio_apps
		f := studio_finding(r, app)
	],
)

job_kinds := util.types("bounded_jobs")

kubeflow_jobs := util.types("kubeflow_jobs")

gpu_families := ["ml.g", "ml.p"]

message(r, why) := concat("", ["", why])

has(obj, key) if {
	is_object(obj)
	obj[key] != null
}

# object.get on an object; the default for anything else (an input may hold any JSON there).
oget(obj, key, fallback) := object.get(obj, key, fallback) if is_object(obj)

oget(obj, key, fallback) := fallback if not is_object(obj)

first(value) := value[0] if {
	is_array(value)
	count(value) > 0
} else := value if {
	is_object(value)
} else := {}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.provider == "kubernetes"
	r.type in job_kinds
	r.facts.is_gpu
	spec := oget(r.attributes, "spec", {})
	not has(spec, "activeDeadlineSeconds")
	not has(spec, "ttlSecondsAfterFinished")
	why := "runs GPUs with neither spec.activeDeadlineSeconds nor spec.ttlSecondsAfterFinished, so nothing bounds how long it holds them"
}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.provider == "kubernetes"
	r.type == "CronJob"
	r.facts.is_gpu
	spec := oget(r.attributes, ["spec", "jobTemplate", "spec"], {})
	not has(spec, "activeDeadlineSeconds")
	not has(spec, "ttlSecondsAfterFinished")
	why := "starts GPU jobs with neither activeDeadlineSeconds nor ttlSecondsAfterFinished in spec.jobTemplate.spec"
}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.provider == "kubernetes"
	r.type in kubeflow_jobs
	r.facts.is_gpu
	policy := oget(r.attributes, ["spec", "runPolicy"], {})
	not has(policy, "activeDeadlineSeconds")
	not has(policy, "ttlSecondsAfterFinished")
	why := "runs GPUs with neither spec.runPolicy.activeDeadlineSeconds nor spec.runPolicy.ttlSecondsAfterFinished"
}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.provider == "kubernetes"
	r.type == "RayCluster"
	r.facts.is_gpu
	oget(r.attributes, ["spec", "enableInTreeAutoscaling"], false) != true
	why := "keeps GPU workers up with no autoscaler (spec.enableInTreeAutoscaling), so idle workers are never removed"
}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.provider == "kubernetes"
	r.type == "Notebook"
	r.facts.is_gpu
	not culling_enabled
	why := "is a GPU notebook and no notebook-controller in this change sets ENABLE_CULLING=true (culling is off by default), so an idle notebook keeps its GPUs"
}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.type == "aws_sagemaker_notebook_instance"
	gpu_notebook_type(oget(r.attributes, "instance_type", ""))
	not has(r.attributes, "lifecycle_config_name")
	not util.unknown_path(r, "lifecycle_config_name")
	why := concat("", [
		"runs a GPU notebook (", r.attributes.instance_type,
		") with no lifecycle_config_name, so no idle auto-stop script can run",
	])
}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.type == "databricks_cluster"
	oget(r.attributes, "autotermination_minutes", null) == 0
	gpu_databricks(r.attributes)
	why := "is a GPU cluster with autotermination_minutes = 0, so it never terminates when idle"
}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.type == "google_notebooks_runtime"
	config := first(oget(first(oget(r.attributes, "virtual_machine", [])), "virtual_machine_config", []))
	count(util.blocks(oget(config, "accelerator_config", []))) > 0
	oget(first(oget(r.attributes, "software_config", [])), "idle_shutdown", null) == false
	why := "is a GPU Vertex AI runtime with software_config.idle_shutdown = false"
}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.type == "google_compute_instance"
	r.facts.is_gpu
	r.facts.environment == "dev"
	not has(first(oget(r.attributes, "scheduling", [])), "max_run_duration")
	not util.unknown_path(r, "scheduling")
	why := "is a dev GPU VM without scheduling.max_run_duration, so it runs until someone stops it"
}

gpu_notebook_type(t) if {
	is_string(t)
	some prefix in gpu_families
	startswith(t, prefix)
}

gpu_databricks(a) if {
	version := oget(a, "spark_version", "")
	is_string(version)
	contains(lower(version), "gpu")
}

gpu_databricks(a) if {
	node := oget(a, "node_type_id", "")
	is_string(node)
	regex.match(`^(g4dn|g5|g6|p3|p4d|p5)\.|^Standard_N[CDV]|^(a2|a3|g2)-`, node)
}

culling_enabled if {
	some r in input.resources
	r.type == "Deployment"
	some c in util.blocks(oget(r.attributes, ["spec", "template", "spec", "containers"], []))
	some e in util.blocks(oget(c, "env", []))
	oget(e, "name", null) == "ENABLE_CULLING"
	value := oget(e, "value", null)
	is_string(value)
	lower(value) == "true"
}


max_idle_minutes := data.guardrails.config.max_idle_shutdown_minutes

# The first unknown path at or around a nested block, in the plan shape (block.0.child) or the
# Pulumi shape (block.child).
unknown_block(r, parts) := found if {
	found := util.unknown_path(r, concat(".0.", parts))
} else := found if {
	found := util.unknown_path(r, concat(".", parts))
}

# ---- SageMaker Studio: idle shutdown of JupyterLab / Code Editor apps -------------------------

studio_apps := ["jupyter_lab_app_settings", "code_editor_app_settings"]

studio_settings := {"aws_sagemaker_domain": "default_user_settings", "aws_sagemaker_user_profile": "user_settings"}

idle_settings(r, app) := first(oget(
	first(oget(first(oget(first(oget(r.attributes, studio_settings[r.type], [])), app, [])), "app_lifecycle_management", [])),
	"idle_settings",
	[],
))

studio_path(r, app) := concat(".", [studio_settings[r.type], app, "app_lifecycle_management.idle_settings"])

studio_finding(r, app) := f if {
	hidden := unknown_block(r, [studio_settings[r.type], app, "app_lifecycle_management", "idle_settings"])
	f := {"resource": r.id, "outcome": "unknown", "attribute": hidden, "message": concat("", [
		"Studio idle shutdown is unknown until apply (", hidden, "), so it cannot be checked",
	])}
} else := f if {
	gap := studio_gap(r, app)
	f := {"resource": r.id, "message": concat("", [
		"lets users keep Studio spaces on GPU instances (ml.g*/ml.p*) running idle: ",
		studio_path(r, app), gap,
	])}
}

studio_gap(r, app) := ".lifecycle_management is not set, and Studio idle shutdown is off unless enabled" if {
	r.type == "aws_sagemaker_domain"
	oget(idle_settings(r, app), "lifecycle_management", null) == null
} else := ".lifecycle_management is DISABLED" if {
	oget(idle_settings(r, app), "lifecycle_management", null) == "DISABLED"
} else := msg if {
	some key in ["idle_timeout_in_minutes", "max_idle_timeout_in_minutes"]
	minutes := oget(idle_settings(r, app), key, null)
	is_number(minutes)
	minutes > max_idle_minutes
	msg := concat("", [
		".", key, " is ", count_text(minutes),
		" minutes, above max_idle_shutdown_minutes ", format_int(max_idle_minutes, 10),
	])
}

# ---- Vertex AI Workbench instances -------------------------------------------------------------

workbench_gpu(setup) if count(util.blocks(oget(setup, "accelerator_configs", []))) > 0

workbench_gpu(setup) if {
	machine := oget(setup, "machine_type", "")
	is_string(machine)
	regex.match(`^(a2|a3|a4|g2)-`, machine)
}

finding(r) := f if {
	r.type == "google_workbench_instance"
	workbench_gpu(first(oget(r.attributes, "gce_setup", [])))
	hidden := unknown_block(r, ["gce_setup", "metadata"])
	f := {"resource": r.id, "outcome": "unknown", "attribute": hidden, "message": concat("", [
		"is a GPU Workbench instance whose metadata is unknown until apply (", hidden,
		"), so its idle shutdown cannot be checked",
	])}
}

finding(r) := {"resource": r.id, "message": why} if {
	r.type == "google_workbench_instance"
	setup := first(oget(r.attributes, "gce_setup", []))
	workbench_gpu(setup)
	not unknown_block(r, ["gce_setup", "metadata"])
	value := oget(oget(setup, "metadata", {}), "idle-timeout-seconds", null)
	value != null
	gap := idle_seconds_gap(value)
	why := concat("", ["is a GPU Workbench instance whose gce_setup.metadata[\"idle-timeout-seconds\"] ", gap])
}

# A whole number for messages; regopy's format_int wraps past 64 bits, so huge ones are named.
count_text(n) := format_int(n, 10) if n < 1000000000000 else := "more than 10^12"

whole_number(value) := value if is_number(value)

whole_number(value) := to_number(value) if {
	is_string(value)
	regex.match(`^-?[0-9]{1,12}$`, value)
}

idle_seconds_gap(value) := "is not a number of seconds, so idle shutdown cannot run" if {
	not whole_number(value)
} else := "is not a positive number of seconds, so idle shutdown is off" if {
	whole_number(value) <= 0
} else := msg if {
	seconds := whole_number(value)
	seconds > max_idle_minutes * 60
	msg := concat("", [
		"is ", count_text(seconds), " s, above max_idle_shutdown_minutes ",
		format_int(max_idle_minutes, 10), " (", format_int(max_idle_minutes * 60, 10), " s)",
	])
}

# ---- Azure ML compute instances ----------------------------------------------------------------

azure_gpu_size(size) if {
	is_string(size)
	startswith(lower(size), "standard_n")
}

# azapi resources in the scan that give what they reference an idle shutdown or a stop schedule.
idle_patchers := {a.id |
	some a in input.resources
	startswith(a.type, "azapi_")
	azapi_stops(azapi_body(a))
}

azapi_body(a) := body if {
	body := a.attributes.body
	is_object(body)
} else := body if {
	is_string(a.attributes.body)
	json.is_valid(a.attributes.body)
	body := json.unmarshal(a.attributes.body)
	is_object(body)
} else := {}

compute_props(body) := [body, outer, inner] if {
	outer := field(body, "properties")
	inner := field(outer, "properties")
}

# obj[key] when obj is an object holding it, else {}.
field(obj, key) := obj[key] if {
	is_object(obj)
	obj[key] != null
} else := {}

azapi_stops(body) if {
	some props in compute_props(body)
	is_object(props)
	idle := oget(props, "idleTimeBeforeShutdown", "")
	is_string(idle)
	idle != ""
}

azapi_stops(body) if {
	some props in compute_props(body)
	is_object(props)
	some entry in util.blocks(oget(field(props, "schedules"), "computeStartStop", []))
	is_object(entry)
	oget(entry, "action", "") == "Stop"
	oget(entry, "status", "Enabled") != "Disabled"
}

idle_patched(r) if {
	some n in r.facts.neighbors["in"]
	n.id in idle_patchers
}

azure_gap := concat("", [
	"no idle shutdown: the azurerm provider has no idle-shutdown argument and ARM's ",
	"idleTimeBeforeShutdown is unset unless given; no azapi resource in this change sets it ",
	"or a Stop schedule (schedules.computeStartStop)",
])

finding(r) := {"resource": r.id, "message": why} if {
	r.type == "azurerm_machine_learning_compute_instance"
	size := oget(r.attributes, "virtual_machine_size", "")
	azure_gpu_size(size)
	not idle_patched(r)
	why := concat("", ["is a GPU Azure ML compute instance (", size, ") with ", azure_gap])
}

finding(r) := {"resource": r.id, "message": why} if {
	r.type == "azapi_resource"
	kind := oget(r.attributes, "type", "")
	is_string(kind)
	startswith(lower(kind), "microsoft.machinelearningservices/workspaces/computes@")
	body := azapi_body(r)
	props := field(body, "properties")
	oget(props, "computeType", "") == "ComputeInstance"
	size := oget(field(props, "properties"), "vmSize", "")
	azure_gpu_size(size)
	not azapi_stops(body)
	not idle_patched(r)
	why := concat("", [
		"creates a GPU Azure ML compute instance (", size, ") with neither ",
		"properties.properties.idleTimeBeforeShutdown nor a Stop schedule (schedules.computeStartStop)",
	])
}
