internal import Foundation

/// Drafts catalog entries from unrecognised templates (`space-triage patterns suggest`).
///
/// Pure: the CLI gathers the templates and the lines of the inputs; this turns them into a
/// PCRE2 pattern, a class guess and the YAML of a catalog file.
package enum PatternSuggester {
  /// The id every stub carries: not a valid id (upper case), so `patterns test` rejects the
  /// file until someone names the entry.
  package static let placeholderID = "TODO.fill-me"

  /// One drafted entry.
  package struct Stub: Sendable {
    package var fingerprint: String
    package var template: String
    package var title: String
    package var stage: Stage
    package var signatureClass: SignatureClass
    package var pattern: String
    package var mustMatch: [String]
    package var mustNotMatch: [String]
    /// Inputs and lines that had the template.
    package var inputs: Int
    package var lines: Int
    /// Notes for the reader, written as YAML comments.
    package var notes: [String]

    package init(
      fingerprint: String, template: String, title: String, stage: Stage, signatureClass: SignatureClass,
      pattern: String, mustMatch: [String], mustNotMatch: [String], inputs: Int, lines: Int, notes: [String] = []
    ) {
      self.fingerprint = fingerprint
      self.template = template
      self.title = title
      self.stage = stage
      self.signatureClass = signatureClass
      self.pattern = pattern
      self.mustMatch = mustMatch
      self.mustNotMatch = mustNotMatch
      self.inputs = inputs
      self.lines = lines
      self.notes = notes
    }
  }

  /// A piece of a template (blanks are literal: the template keeps them as they were).
  enum Piece: Equatable {
    case literal(String)
    case mask(String)
  }

  /// What each mask (and the redaction mark) stands for in a pattern.
  static let maskPatterns: [(token: String, regex: String)] = [
    ("<URL>", #"[A-Za-z][\w+.-]*://[^\s"'`<>)\]]+"#),
    ("<S>", #"(?:"[^"]*"|'.*?'|`[^`]*`)"#),
    ("<PATH>", #"[^\s"'`,:;()<>\[\]{}|]+"#),
    ("<TS>", #"\d[\d:.,TZ/+-]*(?:[ T_]\d[\d:.,Z+-]*)?"#),
    ("<ID>", #"[\w-]+"#),
    ("<N>", #"\d+(?:\.\d+)*"#),
    (Redactor.mask, #"\S+"#),
  ]

  /// `template` cut into literals, blanks and masks.
  static func pieces(of template: String) -> [Piece] {
    var pieces: [Piece] = []
    var literal = ""
    var rest = Substring(template)
    func flush() {
      if !literal.isEmpty { pieces.append(.literal(literal)) }
      literal = ""
    }
    outer: while let first = rest.first {
      if first == "<" || first == "[" {
        for (token, _) in maskPatterns where rest.hasPrefix(token) {
          flush()
          pieces.append(.mask(token))
          rest = rest.dropFirst(token.count)
          continue outer
        }
      }
      literal.append(first)
      rest = rest.dropFirst()
    }
    flush()
    return pieces
  }

  /// A PCRE2 pattern for the lines of `template`: its literal parts escaped, each mask a
  /// class of what it hid. It starts at the first literal with a letter
  /// (leading timestamps and counters are left out: the pattern is not anchored).
  package static func pattern(fromTemplate template: String) -> String {
    var out = ""
    for piece in trimmedPieces(of: template) {
      switch piece {
      case .literal(let text): out += escape(text)
      case .mask(let token): out += maskPatterns.first { $0.token == token }?.regex ?? #"\S+"#
      }
    }
    return out
  }

  /// The pieces of `template` from its first literal with a letter (leading masks, blanks and
  /// punctuation out).
  static func trimmedPieces(of template: String) -> [Piece] {
    var pieces = pieces(of: template)
    while let first = pieces.first {
      if case .literal(let text) = first, let letter = text.firstIndex(where: { $0.isLetter }) {
        pieces[0] = .literal(String(text[letter...]))
        break
      }
      pieces.removeFirst()
    }
    return pieces
  }

  /// `text` with PCRE2's metacharacters escaped.
  package static func escape(_ text: String) -> String {
    var out = ""
    for character in text {
      if "\\^$.|?*+()[]{}".contains(character) { out.append("\\") }
      out.append(character)
    }
    return out
  }

  /// Words that make a failure look passing (network, timeouts, capacity, rate limits).
  static let transientWords = [
    "timeout", "timed out", "time out", "connection reset", "connection aborted", "connecterror",
    "connectionerror", "temporarily", "temporary failure", "unavailable", "try again", "rate limit",
    "too many requests", "network", "name resolution", "econnreset", "etimedout", "502", "503", "504",
    "bad gateway", "gateway timeout",
  ]

  /// A guess: network or timeout words → transient (but not a refused connection to the Space's
  /// own localhost service, which never came up); anything else → persistent.
  package static func guessClass(_ texts: [String]) -> SignatureClass {
    let lowered = texts.map { $0.lowercased() }
    if lowered.contains(where: { $0.contains("localhost") || $0.contains("127.0.0.1") }) { return .persistent }
    return lowered.contains { text in transientWords.contains { text.contains($0) } } ? .transient : .persistent
  }

  /// The longest literal every match of `pattern` needs (what `must-not-match` lines share).
  package static func keyLiteral(of pattern: String) -> String? {
    LiteralExtractor.requiredLiterals(of: pattern)?.max { $0.utf8.count < $1.utf8.count }
  }

  /// The longest word (letters, digits, `_`, `.`; 4 bytes or more) of `literal`: lines of the
  /// inputs that hold it but do not match make good `must-not-match` lines.
  package static func keyWord(of literal: String) -> String? {
    let words = literal.split { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }
    return words.filter { $0.utf8.count >= 4 }.max { $0.utf8.count < $1.utf8.count }.map(String.init)
  }

  /// A near miss of `line`: the key literal broken in its middle, so no match is possible.
  package static func nearMiss(of line: String, literal: String) -> String? {
    guard let range = line.range(of: literal), literal.count >= 2 else { return nil }
    let middle = literal.index(literal.startIndex, offsetBy: literal.count / 2)
    let broken = String(literal[..<middle]) + "_" + String(literal[literal.index(after: middle)...])
    return line.replacingCharacters(in: range, with: broken)
  }

  /// A title from the template: its first 70 characters.
  package static func title(for template: String) -> String {
    // From the first word, as the pattern: no leading timestamp.
    var text = trimmedPieces(of: template).map { piece in
      switch piece {
      case .literal(let text): text
      case .mask(let token): token
      }
    }.joined()
    if text.isEmpty { text = template }
    let trimmed = text.count > 70 ? String(text.prefix(69)) + "…" : text
    return "TODO title: " + trimmed
  }

  /// `text` as a YAML single-quoted scalar.
  package static func quoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
  }

  /// Whether `text` can be written as a single-quoted YAML scalar on one line.
  package static func isWritable(_ text: String) -> Bool {
    !text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F || (0x80...0x9F).contains($0.value) || $0 == "\u{FEFF}" }
  }

  /// The stubs as one catalog file.
  package static func yaml(_ stubs: [Stub]) -> String {
    var out = """
      # Catalog entries drafted by `space-triage patterns suggest` from failure lines no entry knows.
      # Before use: give each entry a real id (`area.kebab-name`, lower case; the placeholder
      # `\(placeholderID)` is rejected by `space-triage patterns test` on purpose), a title, the
      # class if the guess is wrong, and advice; keep the entries sorted by id. Then check with
      #   space-triage patterns test --patterns DIR
      schema: 1
      signatures:

      """
    for stub in stubs {
      out += "  # fingerprint \(stub.fingerprint): \(stub.lines) line(s) in \(stub.inputs) input(s)\n"
      out += "  # template: \(stub.template.replacingOccurrences(of: "\n", with: " "))\n"
      for note in stub.notes { out += "  # note: \(note)\n" }
      out += "  - id: \(placeholderID)  # TODO: rename (patterns test rejects this placeholder)\n"
      out += "    title: \(quoted(stub.title))\n"
      out += "    stage: \(stub.stage.rawValue)\n"
      out += "    class: \(stub.signatureClass.rawValue)  # a guess from the wording\n"
      out += "    pattern: \(quoted(stub.pattern))\n"
      out += "    advice:\n"
      let action = stub.signatureClass == .transient ? "retry-once" : "fix-code"
      out += "      - action: \(action)\n"
      out += "        text: \(quoted("TODO: what to do about it."))\n"
      out += "    must-match:\n"
      for line in stub.mustMatch { out += "      - \(quoted(line))\n" }
      out += "    must-not-match:\n"
      for line in stub.mustNotMatch { out += "      - \(quoted(line))\n" }
      out += "\n"
    }
    return out
  }
}
