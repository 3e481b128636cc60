# An untagged GPU notebook and a public bucket: blocked at the default fail-on (high).
resource "aws_instance" "notebook" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "g5.2xlarge"
}

resource "aws_s3_bucket" "datasets" {
  bucket = "team-datasets"
  acl    = "public-read"
}
