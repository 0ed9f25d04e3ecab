import KubeModel

/// Binds pending pods to nodes (built by the scheduler issue).
public enum Scheduler {}
