# The instance type comes from variables.tf: this file alone cannot be priced.
resource "aws_instance" "trainer" {
  ami           = "ami-0123456789abcdef0"
  instance_type = var.instance_type

  metadata_options {
    http_tokens = "required"
  }

  root_block_device {
    encrypted = true
  }

  tags = {
    owner         = "ml-platform"
    team          = "research"
    "cost-center" = "cc-1234"
    environment   = "dev"
    workload      = "training"
  }
}
