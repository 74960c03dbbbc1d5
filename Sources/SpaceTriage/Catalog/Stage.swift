/// How far a Space got: the six stages of docs/stages-and-verdicts.md, in order.
///
/// `config` (README/YAML read) → `build` → `scheduling` → `provisioning` → `startup` (container
/// started, app not yet healthy) → `running` (app healthy, serving its port).
public enum Stage: String, CaseIterable, Comparable, Sendable, Codable {
  case config, build, scheduling, provisioning, startup, running

  public static func < (lhs: Stage, rhs: Stage) -> Bool {
    lhs.order < rhs.order
  }

  /// Its place in the order above (no array is made per comparison, as `allCases` would).
  private var order: Int {
    switch self {
    case .config: 0
    case .build: 1
    case .scheduling: 2
    case .provisioning: 3
    case .startup: 4
    case .running: 5
    }
  }
}
