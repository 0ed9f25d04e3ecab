// Kubelet
