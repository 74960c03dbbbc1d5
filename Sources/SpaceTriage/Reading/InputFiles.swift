internal import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Expands the inputs named on a command line into the files to read.
///
/// A file is read as named; a directory is searched recursively for log files (see
/// ``logExtensions``), sorted by path, without following symbolic links to directories (so a
/// symlink loop cannot trap the walk); `-` is standard input.
public enum InputFiles {
  /// File extensions taken from a directory: `.log`, `.txt`, `.out`, `.sse`, `.jsonl`, `.ndjson`.
  public static let logExtensions: Set<String> = ["log", "txt", "out", "sse", "jsonl", "ndjson"]

  /// One input to classify.
  public enum Input: Equatable, Sendable {
    case standardInput
    case file(String)
    /// A name that cannot be read, with the reason (reported, then skipped).
    case unreadable(String, reason: String)

    /// The name shown in reports.
    public var name: String {
      switch self {
      case .standardInput: "-"
      case .file(let path), .unreadable(let path, _): path
      }
    }
  }

  /// The inputs for `arguments` (empty means standard input), in order.
  public static func expand(_ arguments: [String]) -> [Input] {
    if arguments.isEmpty { return [.standardInput] }
    var inputs: [Input] = []
    for argument in arguments {
      if argument == "-" {
        inputs.append(.standardInput)
        continue
      }
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
        inputs.append(.unreadable(argument, reason: "No such file or directory"))
        continue
      }
      if isDirectory.boolValue {
        inputs += walk(argument)
      } else {
        inputs.append(.file(argument))
      }
    }
    return inputs
  }

  /// The log files under `directory`, sorted by path: names starting with `.` (files and
  /// folders) are left out, and symbolic links are not followed (a link to a file is not taken
  /// either). Read with `opendir`/`readdir` and the entry types they give: an archive of
  /// thousands of logs costs no `stat` per file.
  private static func walk(_ directory: String) -> [Input] {
    var found: [Input] = []
    visit(directory.hasSuffix("/") ? directory : directory + "/", into: &found)
    return found.sorted { $0.name < $1.name }
  }

  /// Appends the log files of the folder `folder` (ending with `/`) and of its subfolders.
  private static func visit(_ folder: String, into found: inout [Input]) {
    guard let stream = opendir(folder) else {
      found.append(.unreadable(String(folder.dropLast()), reason: String(cString: strerror(errno))))
      return
    }
    defer { closedir(stream) }
    while let entry = readdir(stream) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
      }
      guard !name.hasPrefix(".") else { continue }
      let path = folder + name
      var type = Int32(entry.pointee.d_type)
      if type == Int32(DT_UNKNOWN) {
        // Some file systems do not fill the type in.
        var status = stat()
        guard lstat(path, &status) == 0 else { continue }
        let format = status.st_mode & S_IFMT
        type = format == S_IFDIR ? Int32(DT_DIR) : format == S_IFREG ? Int32(DT_REG) : Int32(DT_UNKNOWN)
      }
      if type == Int32(DT_DIR) {
        visit(path + "/", into: &found)
      } else if type == Int32(DT_REG) && hasLogExtension(name) {
        found.append(.file(path))
      }
    }
  }

  /// Whether the file name ends with one of ``logExtensions`` (in any case) after a dot.
  static func hasLogExtension(_ name: String) -> Bool {
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
    return logExtensions.contains(name[name.index(after: dot)...].lowercased())
  }
}
