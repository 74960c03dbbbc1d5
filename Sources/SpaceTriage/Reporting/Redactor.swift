internal import Foundation
internal import PCRE2Swift

/// Replaces secrets in text with `[REDACTED]` (docs/output.md).
///
/// Covers `hf_…` tokens, `Authorization:` values (with or without `Bearer`), `api_key=` /
/// `token=` style query and assignment values, and `HF_TOKEN` values. Applied to every string
/// that leaves the tool: evidence lines, captures, advice, source names, error messages.
package final class Redactor: @unchecked Sendable {
  // SAFETY: the patterns are immutable; each call creates its own match data.
  private let patterns: [(pattern: PCRE2Pattern, keepGroup: Int)]

  /// The replacement text.
  package static let mask = "[REDACTED]"

  /// A redactor with the built-in secret patterns.
  package static let standard = Redactor(environmentToken: ProcessInfo.processInfo.environment["HF_TOKEN"])

  /// The value of `HF_TOKEN` in this process's environment, masked wherever it appears, whatever
  /// its shape (the `HF_TOKEN` value itself, docs/output.md).
  private let environmentToken: String?

  /// A redactor that also masks `environmentToken` (ignored when shorter than 6 characters).
  init(environmentToken: String?) {
    self.environmentToken = environmentToken.flatMap { $0.count >= 6 ? $0 : nil }
    let sources: [(String, Int)] = [
      (#"\bhf_[A-Za-z0-9]{20,}"#, 0),
      (#"(?i)(\bauthorization\b["']?\s*[:=]\s*["']?(?:(?:bearer|basic|token)\s+)?)[^\s"',;&]+"#, 1),
      (#"(?i)(\b(?:bearer)\s+)[A-Za-z0-9._~+/=-]{8,}"#, 1),
      (#"(?i)(\b(?:api[_-]?key|apikey|access[_-]?token|auth[_-]?token|token|hf_token|hugging_face_hub_token|secret|password)\b["']?\s*[:=]\s*["']?)[^\s"',;&]+"#, 1),
    ]
    // These are fixed, tested patterns: failing to compile is a programming error.
    patterns = sources.map { source, keep in
      guard let pattern = try? PCRE2Pattern(source) else {
        fatalError("built-in redaction pattern does not compile: \(source)")
      }
      return (pattern, keep)
    }
  }

  @inline(__always)
  private static func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

  /// A cheap, case-insensitive byte scan for the words every secret pattern needs (`hf_`,
  /// `auth`, `bearer`, `key`, `token`, `secret`, `password`): one switch on each byte, the rest
  /// of a word compared only after its first letter.
  static func mayHoldSecret(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in
      let count = bytes.count
      guard let base = bytes.baseAddress else { return false }
      // Whether the word (lower case) is at `index`, whose first byte is already known to match.
      func has(_ word: StaticString, at index: Int) -> Bool {
        let length = word.utf8CodeUnitCount
        guard index + length <= count else { return false }
        let letters = word.utf8Start
        for offset in 1..<length where lower(base[index + offset]) != letters[offset] { return false }
        return true
      }
      for index in 0..<count {
        let found: Bool
        switch lower(base[index]) {
        case UInt8(ascii: "h"): found = has("hf_", at: index)
        case UInt8(ascii: "a"): found = has("auth", at: index)
        case UInt8(ascii: "b"): found = has("bearer", at: index)
        case UInt8(ascii: "k"): found = has("key", at: index)
        case UInt8(ascii: "t"): found = has("token", at: index)
        case UInt8(ascii: "s"): found = has("secret", at: index)
        case UInt8(ascii: "p"): found = has("password", at: index)
        default: found = false
        }
        if found { return true }
      }
      return false
    }
  }

  /// `text` with every secret replaced by ``mask``.
  package func redact(_ text: String) -> String {
    var text = text
    if let token = environmentToken, text.contains(token) {
      text = text.replacingOccurrences(of: token, with: Redactor.mask)
    }
    // Most lines hold no secret-looking word at all: skip the regexes for them.
    guard Redactor.mayHoldSecret(text) else { return text }
    var bytes = Array(text.utf8)
    let matchData = PCRE2MatchData(largeJITStack: false)
    var changed = false
    for (pattern, keepGroup) in patterns {
      var output: [UInt8] = []
      var copied = 0
      var offset = 0
      var didReplace = false
      bytes.withUnsafeBytes { subject in
        while offset <= subject.count, (try? matchData.matches(pattern, in: subject, from: offset)) == true,
          let whole = matchData.range(ofGroup: 0)
        {
          let keepEnd = keepGroup > 0 ? (matchData.range(ofGroup: keepGroup)?.upperBound ?? whole.lowerBound) : whole.lowerBound
          // Leave an already redacted value alone.
          let value = subject[keepEnd..<whole.upperBound]
          if !value.elementsEqual(Redactor.mask.utf8) {
            output += subject[copied..<keepEnd]
            output += Redactor.mask.utf8
            copied = whole.upperBound
            didReplace = true
          }
          offset = max(whole.upperBound, whole.lowerBound + 1)
        }
        if didReplace { output += subject[copied...] }
      }
      if didReplace {
        bytes = output
        changed = true
      }
    }
    return changed ? String(decoding: bytes, as: UTF8.self) : text
  }
}
