resource "aws_instance" "broken" {
  instance_type = "g5.xlarge"
  tags = {
}
