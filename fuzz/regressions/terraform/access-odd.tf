locals {
  entries = { "é" = { principal_arn = "arn:aws:iam::111122223333:role/é", groups = [1, null, ["x"]] } }
}
resource "aws_eks_access_entry" "a" {
  for_each          = local.entries
  cluster_name      = aws_eks_cluster.c.id
  principal_arn     = each.value.principal_arn
  kubernetes_groups = each.value.groups
  type              = { t = 1 }
  user_name { x = 1 }
}
resource "aws_eks_access_entry" "b" {
  count         = 99999999999999999999
  principal_arn = aws_eks_access_entry.b.principal_arn
  cluster_name  = aws_eks_access_entry.a.cluster_name
}
resource "aws_eks_cluster" "c" {
  name = aws_eks_cluster.c.name
  access_config {}
  access_config {
    authentication_mode = 1
  }
}
resource "aws_eks_access_policy_association" "p" {
  for_each      = toset([1, "x", null])
  principal_arn = each.key
  access_scope {
    type = each.value
  }
  access_scope = { type = "cluster" }
}
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21"
  for_each = { a = 1 }
  name     = "n-${each.key}"
  enable_cluster_creator_admin_permissions = true
  access_entries = {
    cluster_creator = null
    x = { type = "HYBRID_LINUX", policy_associations = { p = { access_scope = { namespaces = "x" } } } }
  }
}
