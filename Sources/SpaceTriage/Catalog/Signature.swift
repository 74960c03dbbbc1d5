/// What a failure says about the future: will a retry clear it?
public enum SignatureClass: String, CaseIterable, Sendable, Codable {
  /// A retry, restart or wait is likely to clear it (platform, scheduler, capacity, quota).
  case transient
  /// It will happen again until something is changed (code, config, pins, secrets, limits).
  case persistent
  /// Something failed but the line does not say why (e.g. `Job failed with exit code: 1`).
  case failure
  /// Stage markers and harmless noise.
  case info

  /// Whether findings of this class are failures (candidates for the primary finding).
  public var isFailure: Bool { self != .info }
}

/// What an `info` entry does to the stage tracker.
public enum Effect: String, CaseIterable, Sendable, Codable {
  /// The Space reached the entry's stage.
  case stage
  /// A build banner: a new attempt starts, in `build`.
  case buildAttempt = "build-attempt"
  /// An app banner: a new attempt starts, in `startup` (unless it follows this attempt's build).
  case appAttempt = "app-attempt"
  /// The image was built and pushed (`--> Pushing image`).
  case buildComplete = "build-complete"
  /// The end of an error box pasted from the Space page (`Container logs:`, `Build logs:`):
  /// findings above it are the platform's own summary of the failure and are decisive, even
  /// though older log lines follow.
  case errorBoxEnd = "error-box-end"
  /// Harmless noise: recorded as a finding, without effect on stages or the verdict.
  case none
  /// A piece of a failure's shape in any language (an exception line, a stack frame, a panic):
  /// not a finding itself; the engine reads it with its neighbours and may name the failure
  /// `startup.app-exception`, `startup.network-error` or `runtime.request-error`
  /// (`Patterns/catalog/shapes.yaml`).
  case failureShape = "failure-shape"
  /// A line that merely looks like a failure (an `ERROR` level, `failed`, `not found`, …): no
  /// finding and no effect on stages; unless a failure entry recognises the same line, it is
  /// listed in the report's `unrecognized` block (see ``UnrecognizedCollector``).
  case looksLikeFailure = "looks-like-failure"
}

/// One step of advice: a stable action id and the text shown to the user.
///
/// The text may name captures of the entry's pattern as `{name}`.
public struct AdviceStep: Equatable, Sendable, Codable {
  /// A stable kebab-case id for scripts, e.g. `retry-once`.
  public var action: String
  /// The text shown to the user.
  public var text: String

  public init(action: String, text: String) {
    self.action = action
    self.text = text
  }
}

/// A position in a catalog file (1-based line and column).
public struct SourceLocation: Equatable, Hashable, Sendable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public var column: Int

  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  public var description: String { "\(file):\(line):\(column)" }
}

/// An example line carried by a catalog entry, with where it was written.
public struct CatalogExample: Equatable, Sendable {
  public var text: String
  public var location: SourceLocation

  public init(text: String, location: SourceLocation) {
    self.text = text
    self.location = location
  }
}

/// One catalog entry: a pattern and what a line matching it means.
///
/// `Signature` is the Swift name of an entry (the YAML list and the JSON counts say
/// `signatures`); in prose it is an *entry* (docs/architecture.md, "Words").
public struct Signature: Sendable {
  /// Stable id, `area.kebab-name`.
  public var id: String
  /// A short human title.
  public var title: String
  /// The stage the Space was in when this line is printed.
  public var stage: Stage
  /// What the line says about the future.
  public var signatureClass: SignatureClass
  /// Higher outranks lower when choosing the primary finding; generic entries use 10.
  public var priority: Int
  /// The PCRE2 pattern.
  public var pattern: String { didSet { patternIsKnownGood = false } }
  /// Whether the pattern matches without regard to case.
  public var caseless: Bool { didSet { patternIsKnownGood = false } }
  /// Whether the pattern is anchored on purpose (skips the "behind noise" check).
  public var anchored: Bool
  /// What an info entry does to the stage tracker.
  public var effect: Effect
  /// Literals of which every match contains at least one (optional prefilter hint).
  public var literals: [String]
  /// Ordered next steps.
  public var advice: [AdviceStep]
  /// Lines that must match.
  public var mustMatch: [CatalogExample]
  /// Near misses that must not match.
  public var mustNotMatch: [CatalogExample]
  /// Where the entry starts.
  public var location: SourceLocation
  /// Where the pattern scalar starts (for carets under compile errors).
  public var patternLocation: SourceLocation

  /// Whether `pattern` (with `caseless`) is known to compile and JIT-compile: true for the
  /// bundled catalog, whose patterns a test compiles, so ``CompiledCatalog`` compiles such an
  /// entry only on its first candidate line. Changing `pattern` or `caseless` clears it.
  package var patternIsKnownGood = false

  /// The default priority of an entry that gives none.
  public static let defaultPriority = 50

  public init(
    id: String, title: String, stage: Stage, signatureClass: SignatureClass,
    priority: Int = Signature.defaultPriority, pattern: String, caseless: Bool = false,
    anchored: Bool = false, effect: Effect = .stage, literals: [String] = [],
    advice: [AdviceStep] = [], mustMatch: [CatalogExample] = [],
    mustNotMatch: [CatalogExample] = [],
    location: SourceLocation = SourceLocation(file: "<memory>", line: 1, column: 1),
    patternLocation: SourceLocation? = nil
  ) {
    self.id = id
    self.title = title
    self.stage = stage
    self.signatureClass = signatureClass
    self.priority = priority
    self.pattern = pattern
    self.caseless = caseless
    self.anchored = anchored
    self.effect = effect
    self.literals = literals
    self.advice = advice
    self.mustMatch = mustMatch
    self.mustNotMatch = mustNotMatch
    self.location = location
    self.patternLocation = patternLocation ?? location
  }
}
