output "vm_names" {
  description = "Names of the VMs, learner-1 first."
  value       = google_compute_instance.vm[*].name
}

output "service_account" {
  description = "The VMs' dedicated service account (logging and monitoring writer only)."
  value       = google_service_account.vm.email
}

# The roster: per learner, how to reach their VM. The learner key is generated on the VM and never leaves it
# (nor does it enter Terraform state): `key` prints it. Through the tunnel the browser is not on the VM, so the
# site needs it once: open http://127.0.0.1:4000/?key=<key>.
output "roster" {
  description = "Per learner: the VM, the IAP tunnels to run (one terminal each), the command that prints the learner key, the shell and the first-boot log."
  value = {
    for i, learner in local.learners : learner => {
      vm   = google_compute_instance.vm[i].name
      open = "http://127.0.0.1:4000/?key=<key>"
      key  = "gcloud compute ssh ${google_compute_instance.vm[i].name} --zone ${var.zone} --project ${var.project_id} --tunnel-through-iap --command 'sudo cat /opt/observastack/stack/secrets/learner-key'"
      tunnels = {
        control       = "gcloud compute start-iap-tunnel ${google_compute_instance.vm[i].name} 4000 --local-host-port=127.0.0.1:4000 --zone ${var.zone} --project ${var.project_id}"
        observability = "gcloud compute start-iap-tunnel ${google_compute_instance.vm[i].name} 3000 --local-host-port=127.0.0.1:3000 --zone ${var.zone} --project ${var.project_id}"
        user          = "gcloud compute start-iap-tunnel ${google_compute_instance.vm[i].name} 8080 --local-host-port=127.0.0.1:8080 --zone ${var.zone} --project ${var.project_id}"
      }
      ssh         = "gcloud compute ssh ${google_compute_instance.vm[i].name} --zone ${var.zone} --project ${var.project_id} --tunnel-through-iap"
      startup_log = "gcloud compute ssh ${google_compute_instance.vm[i].name} --zone ${var.zone} --project ${var.project_id} --tunnel-through-iap --command 'sudo journalctl -u google-startup-scripts -f'"
    }
  }
}
