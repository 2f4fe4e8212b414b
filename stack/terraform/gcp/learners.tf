# The learner VMs: names and who may tunnel to which. Locals only (no resource), so that the tests can evaluate
# them with `terraform console` offline.
locals {
  # learner-1 .. learner-N; a single VM keeps the plain name.
  learners = [for i in range(var.learners) : "learner-${i + 1}"]
  vm_names = [for l in local.learners : var.learners == 1 ? var.name : "${var.name}-${l}"]

  # Who may open tunnels to which VM: operators to every VM, each learner to their own.
  tunnel_access = merge(
    { for pair in setproduct(var.iap_members, range(var.learners)) : "${pair[0]} ${pair[1]}" => { member = pair[0], vm = pair[1] } },
    { for i, m in var.learner_members : "${m} ${i}" => { member = m, vm = i } },
  )
}
