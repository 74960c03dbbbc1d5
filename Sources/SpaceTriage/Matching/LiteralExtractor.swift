/// Finds literals that every match of a pattern must contain, for the prefilter.
///
/// The result is a set of alternatives: for each top-level branch of the pattern, its longest
/// run of mandatory literal bytes. A line can only match if it contains one of them (compared
/// without regard to ASCII case when the pattern is caseless). When some branch has no run of at
/// least ``minimumLength`` bytes, or the pattern uses constructs the extractor does not follow
/// (inline option changes, `\Q…\E`, extended mode), the answer is `nil`: run the pattern on
/// every line. Non-ASCII characters end a run, so a quantifier on a multi-byte character can
/// never make a literal wrongly mandatory.
package enum LiteralExtractor {
  /// Shorter runs are not worth a probe; the entry then runs on every line.
  package static let minimumLength = 4

  /// The required literals of `pattern`, or `nil` when it has none usable.
  package static func requiredLiterals(of pattern: String) -> [String]? {
    var parser = Parser(Array(pattern.utf8))
    guard let branches = parser.branches(), !branches.isEmpty else { return nil }
    guard branches.allSatisfy({ $0.count >= minimumLength }) else { return nil }
    var unique: [String] = []
    for branch in branches {
      let literal = String(decoding: branch, as: UTF8.self)
      if !unique.contains(literal) { unique.append(literal) }
    }
    return unique
  }

  private struct Parser {
    let bytes: [UInt8]
    var index = 0
    var run: [UInt8] = []
    var best: [UInt8] = []

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    func at(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }

    mutating func flush() {
      if run.count > best.count { best = run }
      run = []
    }

    /// The best run of each top-level branch, or `nil` if the pattern is beyond us.
    mutating func branches() -> [[UInt8]]? {
      var result: [[UInt8]] = []
      if bytes.starts(with: Array("(?i)".utf8)) { index = 4 }  // a leading caseless flag is fine
      while let byte = current {
        switch byte {
        case UInt8(ascii: "|"):
          flush()
          result.append(best)
          best = []
          index += 1
        case UInt8(ascii: "\\"):
          guard let next = at(1) else { return nil }
          if next == UInt8(ascii: "Q") || next == UInt8(ascii: "E") { return nil }
          if isAlphanumeric(next) {
            if "bBAzZG".utf8.contains(next) {
              index += 2  // zero-width assertions do not break a run
              continue
            }
            flush()
            skipEscape()
            skipQuantifier()
          } else {
            index += 2
            literal(next)
          }
        case UInt8(ascii: "["):
          flush()
          guard skipClass() else { return nil }
          skipQuantifier()
        case UInt8(ascii: "("):
          if at(1) == UInt8(ascii: "?"), let kind = at(2), isOptionLetter(kind) { return nil }
          flush()
          guard skipGroup() else { return nil }
          skipQuantifier()
        case UInt8(ascii: ")"):
          return nil
        case UInt8(ascii: "."):
          flush()
          index += 1
          skipQuantifier()
        case UInt8(ascii: "^"), UInt8(ascii: "$"):
          index += 1
        case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
          return nil  // a quantifier with nothing before it: not ours to understand
        default:
          index += 1
          if byte >= 0x80 {
            flush()
            while let next = current, next >= 0x80, next < 0xC0 { index += 1 }  // the rest of the character
            skipQuantifier()
          } else {
            literal(byte)
          }
        }
      }
      flush()
      result.append(best)
      return result
    }

    /// A literal byte just consumed; what follows decides whether it is mandatory.
    mutating func literal(_ byte: UInt8) {
      switch quantifierAhead() {
      case .none:
        run.append(byte)
      case .optional:
        flush()
        skipQuantifier()
      case .atLeastOnce:
        run.append(byte)
        flush()
        skipQuantifier()
      }
    }

    enum Quantifier { case none, optional, atLeastOnce }

    func quantifierAhead() -> Quantifier {
      guard let next = current else { return .none }
      switch next {
      case UInt8(ascii: "?"), UInt8(ascii: "*"): return .optional
      case UInt8(ascii: "+"): return .atLeastOnce
      case UInt8(ascii: "{"):
        guard let minimum = braceMinimum() else { return .none }
        return minimum == 0 ? .optional : .atLeastOnce
      default: return .none
      }
    }

    /// The minimum of a `{n}`, `{n,}` or `{n,m}` quantifier at `index`, if that is what it is.
    func braceMinimum() -> Int? {
      var cursor = index + 1
      var digits = 0
      var value = 0
      while cursor < bytes.count, isDigit(bytes[cursor]) {
        // Saturate: a run of digits longer than any real quantifier must not overflow.
        value = min(value &* 10 &+ Int(bytes[cursor] - UInt8(ascii: "0")), 1 << 20)
        digits += 1
        cursor += 1
      }
      guard digits > 0, cursor < bytes.count else { return nil }
      if bytes[cursor] == UInt8(ascii: ",") {
        cursor += 1
        while cursor < bytes.count, isDigit(bytes[cursor]) { cursor += 1 }
      }
      guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "}") else { return nil }
      return value
    }

    mutating func skipQuantifier() {
      guard let next = current else { return }
      switch next {
      case UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "+"):
        index += 1
      case UInt8(ascii: "{"):
        guard braceMinimum() != nil else { return }
        while let byte = current, byte != UInt8(ascii: "}") { index += 1 }
        index += 1
      default:
        return
      }
      if let lazy = current, lazy == UInt8(ascii: "?") || lazy == UInt8(ascii: "+") { index += 1 }
    }

    mutating func skipEscape() {
      let kind = bytes[index + 1]
      index += 2
      // \p{…}, \x{…}, \N{…}, \g{…}, \k<…> and friends carry an argument.
      if let open = current, open == UInt8(ascii: "{") || (kind == UInt8(ascii: "k") && open == UInt8(ascii: "<")) {
        let close = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ">")
        while let byte = current, byte != close { index += 1 }
        index += 1
      } else if kind == UInt8(ascii: "x") {
        var hex = 0
        while hex < 2, let byte = current, isHexDigit(byte) {
          index += 1
          hex += 1
        }
      }
    }

    /// Skips `[…]`; returns false if it never closes.
    mutating func skipClass() -> Bool {
      index += 1
      if current == UInt8(ascii: "^") { index += 1 }
      if current == UInt8(ascii: "]") { index += 1 }
      while let byte = current {
        if byte == UInt8(ascii: "\\") {
          index += 2
        } else if byte == UInt8(ascii: "[") && at(1) == UInt8(ascii: ":") {
          // POSIX class like [:alpha:]
          index += 2
          while let inner = current, inner != UInt8(ascii: "]") { index += 1 }
          index += 1
        } else if byte == UInt8(ascii: "]") {
          index += 1
          return true
        } else {
          index += 1
        }
      }
      return false
    }

    /// Skips a parenthesised group with everything nested in it; false if it never closes.
    mutating func skipGroup() -> Bool {
      var depth = 0
      while let byte = current {
        switch byte {
        case UInt8(ascii: "\\"): index += 2
        case UInt8(ascii: "["):
          guard skipClass() else { return false }
        case UInt8(ascii: "("):
          depth += 1
          index += 1
        case UInt8(ascii: ")"):
          depth -= 1
          index += 1
          if depth == 0 { return true }
        default: index += 1
        }
      }
      return false
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    func isHexDigit(_ byte: UInt8) -> Bool {
      isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }
    func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) }
    /// `(?i)`, `(?x)`, `(?-i)`, `(?^)` … change options part-way: we do not follow those.
    func isOptionLetter(_ byte: UInt8) -> Bool { "imnsxJU-^".utf8.contains(byte) }
  }
}
