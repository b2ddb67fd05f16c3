microk8s config
