variable "instance_type" {
  description = "GPU instance type of the trainer."
  default     = "p4d.24xlarge"
}
