output "vm_name" {
  description = "Name of the VM."
  value       = google_compute_instance.vm.name
}

output "service_account" {
  description = "The VM's dedicated service account (logging and monitoring writer only)."
  value       = google_service_account.vm.email
}

output "ssh" {
  description = "Shell on the VM through IAP."
  value       = "gcloud compute ssh ${google_compute_instance.vm.name} --zone ${var.zone} --project ${var.project_id} --tunnel-through-iap"
}

output "learner_key" {
  description = "Prints the learner key (generated on the VM). Through the tunnel the browser is not on the VM, so the site needs it once: open http://127.0.0.1:4000/?key=<key>."
  value       = "gcloud compute ssh ${google_compute_instance.vm.name} --zone ${var.zone} --project ${var.project_id} --tunnel-through-iap --command 'sudo cat /opt/observastack/stack/secrets/learner-key'"
}

output "tunnels" {
  description = "One IAP tunnel per path; run each in its own terminal, then open http://127.0.0.1:4000/?key=<learner key>."
  value = {
    control       = "gcloud compute start-iap-tunnel ${google_compute_instance.vm.name} 4000 --local-host-port=127.0.0.1:4000 --zone ${var.zone} --project ${var.project_id}"
    observability = "gcloud compute start-iap-tunnel ${google_compute_instance.vm.name} 3000 --local-host-port=127.0.0.1:3000 --zone ${var.zone} --project ${var.project_id}"
    user          = "gcloud compute start-iap-tunnel ${google_compute_instance.vm.name} 8080 --local-host-port=127.0.0.1:8080 --zone ${var.zone} --project ${var.project_id}"
  }
}

output "startup_log" {
  description = "Follow the VM's first boot (Docker install, image pull, stack start)."
  value       = "gcloud compute ssh ${google_compute_instance.vm.name} --zone ${var.zone} --project ${var.project_id} --tunnel-through-iap --command 'sudo journalctl -u google-startup-scripts -f'"
}
