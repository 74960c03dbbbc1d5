/// How far a Space got: the six stages of docs/stages-and-verdicts.md, in order.
///
/// `config` (README/YAML read) → `build` → `scheduling` → `provisioning` → `startup` (container
/// started, app not yet healthy) → `running` (app healthy, serving its port).
public enum Stage: String, CaseIterable, Comparable, Sendable, Codable {
  case config, build, scheduling, provisioning, startup, running

  public static func < (lhs: Stage, rhs: Stage) -> Bool {
    allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
  }
}
