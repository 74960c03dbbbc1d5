/// A catalog entry that matched one or more lines of an input.
public struct Finding: Equatable, Sendable {
  /// The entry's id.
  public var id: String
  /// The entry's title.
  public var title: String
  /// The entry's stage.
  public var stage: Stage
  /// The entry's class.
  public var signatureClass: SignatureClass
  /// The entry's priority.
  public var priority: Int
  /// The line of the occurrence used as evidence: the last one (1-based).
  public var line: Int
  /// The line of the first occurrence.
  public var firstLine: Int
  /// How many lines matched.
  public var count: Int
  /// The attempts it occurred in (1-based, ascending, unique).
  public var attempts: [Int]
  /// The evidence line: ANSI stripped, secrets redacted, at most 500 characters.
  public var text: String
  /// The named captures of the pattern on the evidence line (redacted).
  public var captures: [String: String]
  /// The SSE/JSON timestamp of the evidence line, if the input carried one.
  public var timestamp: String?
  /// The entry's advice, with captures filled in.
  public var advice: [AdviceStep]
  /// When the line ended a Python traceback: its header and its first and last frame lines.
  public var context: [String]
  /// Whether the line was in an error box pasted from the Space page (the platform's own
  /// summary of the failure), which outranks the older log lines pasted below it.
  public var isBoxed: Bool

  public init(
    id: String, title: String, stage: Stage, signatureClass: SignatureClass, priority: Int,
    line: Int, firstLine: Int? = nil, count: Int = 1, attempts: [Int] = [1], text: String = "",
    captures: [String: String] = [:], timestamp: String? = nil, advice: [AdviceStep] = [],
    isBoxed: Bool = false, context: [String] = []
  ) {
    self.id = id
    self.title = title
    self.stage = stage
    self.signatureClass = signatureClass
    self.priority = priority
    self.line = line
    self.firstLine = firstLine ?? line
    self.count = count
    self.attempts = attempts
    self.text = text
    self.captures = captures
    self.timestamp = timestamp
    self.advice = advice
    self.isBoxed = isBoxed
    self.context = context
  }

  /// Whether the finding is in attempt `attempt`.
  public func occurs(inAttempt attempt: Int) -> Bool { attempts.contains(attempt) }
}

extension AdviceStep {
  /// The step with `{name}` replaced by `captures[name]` (or "it" when not captured);
  /// `{first|second}` takes the first of those captures that took part in the match (a pattern
  /// whose alternatives capture the same thing under different names: PCRE2 names are unique).
  public func filled(with captures: [String: String]) -> AdviceStep {
    guard text.utf8.contains(UInt8(ascii: "{")) else { return self }
    var result = ""
    var rest = Substring(text)
    while let open = rest.firstIndex(of: "{") {
      result += rest[..<open]
      guard let close = rest[open...].firstIndex(of: "}") else { break }
      let name = String(rest[rest.index(after: open)..<close])
      let names = name.split(separator: "|", omittingEmptySubsequences: false)
      if names.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }) {
        result += names.lazy.compactMap { captures[String($0)] }.first ?? "it"
      } else {
        result += rest[open...close]
      }
      rest = rest[rest.index(after: close)...]
    }
    result += rest
    return AdviceStep(action: action, text: result)
  }
}
