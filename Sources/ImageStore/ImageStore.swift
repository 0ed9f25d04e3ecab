// ImageStore
