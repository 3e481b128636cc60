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
#   the scan enables it.
# scope: package
# custom:
#   id: GR-COST-006
#   severity: medium
#   category: cost
#   remediation: Give the capacity a way to stop — a SageMaker lifecycle configuration with an idle auto-stop, Databricks `autotermination_minutes` > 0, Vertex `idle_shutdown`, GCE `scheduling.max_run_duration`, Job/RayJob/Kubeflow `activeDeadlineSeconds` or `ttlSecondsAfterFinished`, Ray autoscaling with `idleTimeoutSeconds`, or `ENABLE_CULLING=true` on the Kubeflow notebook controller.
package guardrails.policy.gr_cost_006

import data.guardrails.lib.util
import rego.v1

deny := [f |
	some r in input.resources
	util.live(r)
	f := finding(r)
]

job_kinds := {"Job", "RayJob"}

kubeflow_jobs := {"PyTorchJob", "TFJob", "MPIJob", "XGBoostJob", "PaddleJob", "JAXJob"}

gpu_families := ["ml.g", "ml.p"]

message(r, why) := concat("", ["", why])

has(obj, key) if {
	is_object(obj)
	obj[key] != null
}

first(value) := b if {
	some b in util.blocks(value)
} else := {}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.source_format == "kubernetes"
	r.type in job_kinds
	r.facts.is_gpu
	spec := object.get(r.attributes, "spec", {})
	not has(spec, "activeDeadlineSeconds")
	not has(spec, "ttlSecondsAfterFinished")
	why := "runs GPUs with neither spec.activeDeadlineSeconds nor spec.ttlSecondsAfterFinished, so nothing bounds how long it holds them"
}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.source_format == "kubernetes"
	r.type == "CronJob"
	r.facts.is_gpu
	spec := object.get(r.attributes, ["spec", "jobTemplate", "spec"], {})
	not has(spec, "activeDeadlineSeconds")
	not has(spec, "ttlSecondsAfterFinished")
	why := "starts GPU jobs with neither activeDeadlineSeconds nor ttlSecondsAfterFinished in spec.jobTemplate.spec"
}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.source_format == "kubernetes"
	r.type in kubeflow_jobs
	r.facts.is_gpu
	policy := object.get(r.attributes, ["spec", "runPolicy"], {})
	not has(policy, "activeDeadlineSeconds")
	not has(policy, "ttlSecondsAfterFinished")
	why := "runs GPUs with neither spec.runPolicy.activeDeadlineSeconds nor spec.runPolicy.ttlSecondsAfterFinished"
}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.source_format == "kubernetes"
	r.type == "RayCluster"
	r.facts.is_gpu
	object.get(r.attributes, ["spec", "enableInTreeAutoscaling"], false) != true
	why := "keeps GPU workers up with no autoscaler (spec.enableInTreeAutoscaling), so idle workers are never removed"
}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.source_format == "kubernetes"
	r.type == "Notebook"
	r.facts.is_gpu
	not culling_enabled
	why := "is a GPU notebook and no notebook-controller in this change sets ENABLE_CULLING=true (culling is off by default), so an idle notebook keeps its GPUs"
}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.type == "aws_sagemaker_notebook_instance"
	gpu_notebook_type(object.get(r.attributes, "instance_type", ""))
	not has(r.attributes, "lifecycle_config_name")
	not util.unknown_path(r, "lifecycle_config_name")
	why := concat("", [
		"runs a GPU notebook (", r.attributes.instance_type,
		") with no lifecycle_config_name, so no idle auto-stop script can run",
	])
}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.type == "databricks_cluster"
	object.get(r.attributes, "autotermination_minutes", null) == 0
	gpu_databricks(r.attributes)
	why := "is a GPU cluster with autotermination_minutes = 0, so it never terminates when idle"
}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.type == "google_notebooks_runtime"
	config := first(object.get(first(object.get(r.attributes, "virtual_machine", [])), "virtual_machine_config", []))
	count(util.blocks(object.get(config, "accelerator_config", []))) > 0
	object.get(first(object.get(r.attributes, "software_config", [])), "idle_shutdown", null) == false
	why := "is a GPU Vertex AI runtime with software_config.idle_shutdown = false"
}

finding(r) := {"resource": r.id, "message": message(r, why)} if {
	r.type == "google_compute_instance"
	r.facts.is_gpu
	r.facts.environment == "dev"
	not has(first(object.get(r.attributes, "scheduling", [])), "max_run_duration")
	not util.unknown_path(r, "scheduling")
	why := "is a dev GPU VM without scheduling.max_run_duration, so it runs until someone stops it"
}

gpu_notebook_type(t) if {
	is_string(t)
	some prefix in gpu_families
	startswith(t, prefix)
}

gpu_databricks(a) if contains(lower(object.get(a, "spark_version", "")), "gpu")

gpu_databricks(a) if {
	node := object.get(a, "node_type_id", "")
	is_string(node)
	regex.match(`^(g4dn|g5|g6|p3|p4d|p5)\.|^Standard_N[CDV]|^(a2|a3|g2)-`, node)
}

culling_enabled if {
	some r in input.resources
	r.type == "Deployment"
	some c in util.blocks(object.get(r.attributes, ["spec", "template", "spec", "containers"], []))
	some e in util.blocks(object.get(c, "env", []))
	e.name == "ENABLE_CULLING"
	lower(e.value) == "true"
}
