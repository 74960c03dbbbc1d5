internal import Foundation

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

  private static func walk(_ directory: String) -> [Input] {
    let root = URL(fileURLWithPath: directory)
    var found: [Input] = []
    var unreadable: [Input] = []
    let enumerator = FileManager.default.enumerator(
      at: root, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey],
      options: [.skipsHiddenFiles],
      errorHandler: { url, error in
        unreadable.append(.unreadable(url.path, reason: (error as NSError).localizedDescription))
        return true
      })
    while let url = enumerator?.nextObject() as? URL {
      guard logExtensions.contains(url.pathExtension.lowercased()) else { continue }
      let values = try? url.resourceValues(forKeys: [.isRegularFileKey])
      guard values?.isRegularFile == true else { continue }
      let path = directory.hasSuffix("/") ? directory + relative(url, to: root) : directory + "/" + relative(url, to: root)
      found.append(.file(path))
    }
    return (found + unreadable).sorted { $0.name < $1.name }
  }

  private static func relative(_ url: URL, to root: URL) -> String {
    let base = root.standardizedFileURL.path
    let path = url.standardizedFileURL.path
    guard path.hasPrefix(base) else { return url.lastPathComponent }
    return String(path.dropFirst(base.count).drop { $0 == "/" })
  }
}
