// The peer of hack/bench/dns.sh: the least a UDP DNS server can do. It answers every query with
// one A record (10.244.0.4, TTL 5) for the question it was asked, in a single-threaded
// recvfrom/sendto loop, with no lookup at all.
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 5300;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port) };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) < 0) { perror("bind"); return 1; }
    unsigned char buffer[1500];
    for (;;) {
        struct sockaddr_in peer;
        socklen_t length = sizeof peer;
        ssize_t n = recvfrom(fd, buffer, 512, 0, (struct sockaddr *)&peer, &length);
        if (n < 12) continue;
        // Skip the question's name, type and class.
        ssize_t end = 12;
        while (end < n && buffer[end] != 0) end += buffer[end] + 1;
        end += 5;
        if (end > n) continue;
        buffer[2] = 0x84 | (buffer[2] & 0x01);  // QR, AA, RD as asked
        buffer[3] = 0;
        buffer[6] = 0; buffer[7] = 1;            // one answer
        buffer[8] = buffer[9] = buffer[10] = buffer[11] = 0;
        unsigned char answer[] = { 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 10, 244, 0, 4 };
        memcpy(buffer + end, answer, sizeof answer);
        sendto(fd, buffer, end + sizeof answer, 0, (struct sockaddr *)&peer, length);
    }
}
