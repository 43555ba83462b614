import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The sockets the server listens on: its own, bound to `[serve] listen`, or those systemd passes.
/// Why the server could not listen.
public struct ListenFailure: Error, CustomStringConvertible {
    public var description: String
}

public enum ListenSocket {
    /// Sockets passed by systemd socket activation (`LISTEN_PID`, `LISTEN_FDS`, sd_listen_fds(3)):
    /// descriptors 3, 4, … when they are meant for this process, else nil. The variables are cleared so
    /// children do not take them too.
    public static func fromSystemd() -> [Int32]? {
        let environment = ProcessInfo.processInfo.environment
        guard let pid = environment["LISTEN_PID"].flatMap(Int32.init), pid == getpid(),
              let count = environment["LISTEN_FDS"].flatMap(Int32.init), count > 0, count < 64 else { return nil }
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
        return (0..<count).map { fd in
            let descriptor = 3 + fd
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            return descriptor
        }
    }

    /// bind(2) with an IPv4 or IPv6 socket address.
    private static func bind<Address>(_ fd: Int32, to address: Address) -> Int32 {
        withUnsafePointer(to: address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
        }
    }

    /// A listening TCP socket on `address`; IPv6 sockets take IPv6 only, so `[::]` and `0.0.0.0` can
    /// both be listed.
    public static func open(_ address: ListenAddress) throws(ListenFailure) -> Int32 {
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ListenFailure(description: "cannot open a socket for \(address): \(String(cString: strerror(errno)))") }
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        let bound: Int32?
        if address.isIPv6 {
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &on, socklen_t(MemoryLayout<Int32>.size))
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = in_port_t(UInt16(address.port).bigEndian)
            bound = inet_pton(AF_INET6, address.host, &sa.sin6_addr) == 1 ? bind(fd, to: sa) : nil
        } else {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(address.port).bigEndian)
            bound = inet_pton(AF_INET, address.host, &sa.sin_addr) == 1 ? bind(fd, to: sa) : nil
        }
        guard let bound else {
            close(fd)
            throw ListenFailure(description: "\(address) is not an IPv\(address.isIPv6 ? 6 : 4) address")
        }
        guard bound == 0, listen(fd, 256) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ListenFailure(description: "cannot listen on \(address): \(reason)")
        }
        return fd
    }
}
