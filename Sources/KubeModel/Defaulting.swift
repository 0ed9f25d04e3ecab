/// Kubernetes' defaulting functions (`SetDefaults_*`), on the JSON form.
enum Defaulting {
    static func apply(to object: inout JSONValue, kind: String) {
        switch kind {
        default:
            break
        }
    }
}
