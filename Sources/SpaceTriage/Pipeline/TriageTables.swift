/// What every ``Triage`` of one catalog derives from the catalog's entries, made once and shared
/// by the triages of all inputs a ``Classifier`` reads: a triage per input re-deriving them cost
/// more than the analysis of a small log (every entry copied a few times, ~0.6 M instructions).
/// Immutable.
final class TriageTables {
  /// Per entry, what a match does to the stages: the effect of an info entry (`.none` for a
  /// finding).
  let effects: [(effect: Effect, stage: Stage)]
  /// Per entry, whether it is of a failure class.
  let failures: [Bool]
  /// Per entry, its part in telling unrecognised failure lines (``UnrecognizedCollector/role(_:)``).
  let roles: [UInt8]
  /// Per entry, whether its repeats may be kept (``Triage/repeatable(_:)``).
  let repeatable: [Bool]
  /// The failure-shape reader's state before the first line.
  let shapes: ShapeState
  /// The Python exception and Node error shapes.
  let exceptionShapes: [Int]
  /// Per entry, whether a line whose literals select it surely looks like a failure: a
  /// `looks-like-failure` entry proven by its literal.
  let surelyLooksLikeFailure: [Bool]

  init(catalog: CompiledCatalog) {
    let signatures = catalog.signatures
    var effects: [(effect: Effect, stage: Stage)] = []
    var failures: [Bool] = []
    var roles: [UInt8] = []
    var surelyLooksLikeFailure: [Bool] = []
    effects.reserveCapacity(signatures.count)
    failures.reserveCapacity(signatures.count)
    roles.reserveCapacity(signatures.count)
    surelyLooksLikeFailure.reserveCapacity(signatures.count)
    for index in signatures.indices {
      let isInfo = signatures[index].signatureClass == .info
      effects.append((isInfo ? signatures[index].effect : .none, signatures[index].stage))
      failures.append(signatures[index].signatureClass.isFailure)
      roles.append(UnrecognizedCollector.role(signatures[index]))
      surelyLooksLikeFailure.append(
        isInfo && signatures[index].effect == .looksLikeFailure && catalog.provenByLiteral[index])
    }
    self.effects = effects
    self.failures = failures
    self.roles = roles
    self.surelyLooksLikeFailure = surelyLooksLikeFailure
    repeatable = Triage.repeatable(catalog)
    let shapes = ShapeState(catalog: catalog)
    self.shapes = shapes
    exceptionShapes = catalog.exceptionShapes
  }
}
