internal import CPCRE2

/// Compile options of a pattern.
///
/// Every pattern is compiled as UTF-8 with `PCRE2_MATCH_INVALID_UTF`, so subjects with broken
/// UTF-8 never cause an error; these options come on top.
package struct PCRE2Options: OptionSet, Sendable, Hashable {
  package let rawValue: UInt32

  package init(rawValue: UInt32) { self.rawValue = rawValue }

  /// Matches letters without regard to case.
  ///
  /// Corresponds to `PCRE2_CASELESS` (the `(?i)` flag).
  package static let caseless = PCRE2Options(rawValue: PCRE2_CASELESS)

  /// `^` and `$` also match at internal newlines.
  ///
  /// Corresponds to `PCRE2_MULTILINE` (the `(?m)` flag).
  package static let multiline = PCRE2Options(rawValue: PCRE2_MULTILINE)

  /// Ignores white space and `#` comments in the pattern.
  ///
  /// Corresponds to `PCRE2_EXTENDED` (the `(?x)` flag).
  package static let extended = PCRE2Options(rawValue: PCRE2_EXTENDED)

  /// Matches only at the start of the subject.
  ///
  /// Corresponds to `PCRE2_ANCHORED`.
  package static let anchored = PCRE2Options(rawValue: PCRE2_ANCHORED)
}
