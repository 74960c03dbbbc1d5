internal import CPCRE2

/// An error reported by PCRE2, with PCRE2's own message.
///
/// Compile errors carry the byte offset in the pattern where PCRE2 gave up, so a caller can
/// point a caret at it.
package struct PCRE2Error: Error, Equatable, Sendable, CustomStringConvertible {
  /// Where the error happened.
  package enum Kind: Equatable, Sendable {
    /// The pattern did not compile; `offset` is the byte offset of the error in the pattern.
    case compile(offset: Int)
    /// JIT compilation failed (the pattern still works through the interpreter).
    case jit
    /// A match failed with an error, such as hitting the match or depth limit.
    case match
  }

  /// Where the error happened.
  package let kind: Kind
  /// PCRE2's numeric error code (negative for match errors).
  package let code: Int32
  /// PCRE2's message for `code`, e.g. "missing closing parenthesis".
  package let message: String

  init(kind: Kind, code: Int32) {
    self.kind = kind
    self.code = code
    self.message = PCRE2Error.message(for: code)
  }

  /// True when the match gave up because of the match or depth limit (catastrophic backtracking).
  package var isResourceLimit: Bool {
    code == PCRE2_ERROR_MATCHLIMIT || code == PCRE2_ERROR_DEPTHLIMIT
      || code == PCRE2_ERROR_HEAPLIMIT || code == PCRE2_ERROR_JIT_STACKLIMIT
  }

  package var description: String {
    switch kind {
    case .compile(let offset): "\(message) at offset \(offset)"
    case .jit: "JIT compilation failed: \(message)"
    case .match: "match failed: \(message)"
    }
  }

  /// PCRE2's text for an error code.
  static func message(for code: Int32) -> String {
    var buffer = [UInt8](repeating: 0, count: 256)
    let length = unsafe buffer.withUnsafeMutableBufferPointer { chars in
      // SAFETY: the buffer is valid for its whole count during this call; PCRE2 writes at most
      // `count` code units including the terminating zero.
      unsafe pcre2_get_error_message_8(code, chars.baseAddress, chars.count)
    }
    guard length > 0 else { return "PCRE2 error \(code)" }
    return String(decoding: buffer.prefix(Int(length)), as: UTF8.self)
  }
}
