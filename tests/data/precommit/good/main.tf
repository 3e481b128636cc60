# A tagged, IMDSv2-only, encrypted GPU instance on spot, under the dev cost ceiling.
resource "aws_instance" "trainer" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "g5.xlarge"

  instance_market_options {
    market_type = "spot"
  }

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
