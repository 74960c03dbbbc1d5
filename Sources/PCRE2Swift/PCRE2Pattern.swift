internal import CPCRE2

/// A compiled, JIT-compiled, immutable regular expression.
///
/// A pattern is compiled once and can then be shared between threads: matching needs a
/// per-thread ``PCRE2MatchData`` for its scratch space.
@safe package final class PCRE2Pattern: @unchecked Sendable {
  // SAFETY: `code` is written once in `init` (compile and JIT compile both happen before the
  // object can be shared) and only read afterwards; PCRE2 documents compiled code as safe to use
  // from several threads at once. It is freed in `deinit`, when no reference remains.
  let code: OpaquePointer

  /// The source of the pattern.
  package let source: String
  /// The options it was compiled with.
  package let options: PCRE2Options
  /// Whether JIT compilation succeeded (the interpreter is used otherwise).
  package let isJITCompiled: Bool
  /// The number of capturing groups.
  package let captureCount: Int
  /// Named groups and their group numbers, in the order of the pattern's name table.
  package let captureNames: [(name: String, group: Int)]

  /// Compiles and JIT-compiles `source`.
  ///
  /// - Throws: ``PCRE2Error`` of kind `.compile(offset:)` when the pattern is invalid.
  package init(_ source: String, options: PCRE2Options = []) throws(PCRE2Error) {
    var errorCode: Int32 = 0
    var errorOffset: Int = 0
    let flags = options.rawValue | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF
    var utf8 = Array(source.utf8)
    let compiled = unsafe utf8.withUnsafeMutableBufferPointer { bytes in
      // SAFETY: the bytes are valid for this call; pcre2_compile_8 copies what it needs.
      unsafe pcre2_compile_8(bytes.baseAddress, bytes.count, flags, &errorCode, &errorOffset, nil)
    }
    guard let compiled = unsafe compiled else {
      throw PCRE2Error(kind: .compile(offset: errorOffset), code: errorCode)
    }
    unsafe self.code = compiled
    self.source = source
    self.options = options
    self.isJITCompiled = unsafe pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE) == 0
    var count: UInt32 = 0
    _ = unsafe pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
    self.captureCount = Int(count)
    self.captureNames = unsafe PCRE2Pattern.readNameTable(compiled)
  }

  deinit {
    unsafe pcre2_code_free_8(code)
  }

  /// The group number of the named group `name`, if there is one.
  package func group(named name: String) -> Int? {
    captureNames.first { $0.name == name }?.group
  }

  /// Reads PCRE2's name table: entries of a 2-byte big-endian group number and a
  /// zero-terminated name, each `entrySize` bytes long.
  private static func readNameTable(_ code: OpaquePointer) -> [(name: String, group: Int)] {
    var nameCount: UInt32 = 0
    var entrySize: UInt32 = 0
    _ = unsafe pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMECOUNT), &nameCount)
    _ = unsafe pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
    guard nameCount > 0 else { return [] }
    var table: UnsafePointer<UInt8>? = nil
    _ = unsafe pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMETABLE), &table)
    guard let table = unsafe table else { return [] }
    var names: [(name: String, group: Int)] = []
    for entry in 0..<Int(nameCount) {
      // SAFETY: the table holds nameCount entries of entrySize bytes and lives as long as code.
      let start = unsafe table + entry * Int(entrySize)
      let group = Int(unsafe start[0]) << 8 | Int(unsafe start[1])
      let nameBytes = unsafe UnsafeBufferPointer(start: start + 2, count: Int(entrySize) - 2)
      let name = unsafe String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
      names.append((name, group))
    }
    return names
  }
}
