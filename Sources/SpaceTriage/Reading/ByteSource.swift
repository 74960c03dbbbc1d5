public import SystemPackage

/// Something that fills a buffer with the next bytes of an input.
public protocol ByteSource {
  /// Reads up to `buffer.count` bytes into `buffer`; returns 0 at end of input.
  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Reads a file descriptor with `read(2)` (retrying on `EINTR`).
public struct FileDescriptorSource: ByteSource {
  public let descriptor: FileDescriptor

  public init(_ descriptor: FileDescriptor) { self.descriptor = descriptor }

  public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    try descriptor.read(into: buffer, retryOnInterrupt: true)
  }
}

/// Reads the bytes `range` of a file with `pread(2)`, leaving the descriptor's offset alone (so
/// several threads can read parts of one file).
public struct FileRangeSource: ByteSource {
  public let descriptor: FileDescriptor
  private var offset: Int
  private let end: Int

  public init(_ descriptor: FileDescriptor, range: Range<Int>) {
    self.descriptor = descriptor
    self.offset = range.lowerBound
    self.end = range.upperBound
  }

  public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let count = min(buffer.count, end - offset)
    guard count > 0 else { return 0 }
    let read = try descriptor.read(
      fromAbsoluteOffset: Int64(offset), into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]),
      retryOnInterrupt: true)
    offset += read
    return read
  }
}

/// The source of a ``LineReader`` whose buffer was filled beforehand
/// (``LineReader/init(filled:count:maxLineLength:)``): it has nothing more to read.
package struct FilledBufferSource: ByteSource {
  package init() {}
  package mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { 0 }
}

/// Serves bytes from memory, `chunkSize` bytes per read at most (tests use this to try every
/// split point and a one-byte drip).
public struct MemorySource: ByteSource {
  private let bytes: [UInt8]
  private var offset = 0
  private let chunkSize: Int

  public init(_ bytes: [UInt8], chunkSize: Int = .max) {
    self.bytes = bytes
    self.chunkSize = max(1, chunkSize)
  }

  public init(_ text: String, chunkSize: Int = .max) {
    self.init(Array(text.utf8), chunkSize: chunkSize)
  }

  public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let count = min(buffer.count, chunkSize, bytes.count - offset)
    guard count > 0 else { return 0 }
    bytes.withUnsafeBytes { source in
      buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + count]))
    }
    offset += count
    return count
  }
}
