#include "efi/serial.h"

#include "efi/io.h"

namespace {

// 16550 UART registers (offsets from the base port).
constexpr u16 TXR = 0; // transmit
constexpr u16 IER = 1; // interrupt enable
constexpr u16 FCR = 2; // FIFO control
constexpr u16 LCR = 3; // line control
constexpr u16 MCR = 4; // modem control
constexpr u16 LSR = 5; // line status
constexpr u16 DLL = 0; // divisor latch low (with DLAB)
constexpr u16 DLH = 1; // divisor latch high (with DLAB)
constexpr u8 LSR_THRE = 0x20;

u16 serial_base;

void serial_putc(char c)
{
	// Bounded wait: a machine without a UART reads 0xff (THRE set), and a stuck
	// one must not hang the app.
	for (unsigned timeout = 0xffff; timeout && !(inb(serial_base + LSR) & LSR_THRE); timeout--)
		asm volatile("pause");
	outb((u8)c, serial_base + TXR);
}

} // namespace

void early_serial_init(u16 port, u32 baud)
{
	serial_base = port;
	u16 divisor = (u16)(115200 / baud);
	outb(0x03, port + LCR); // 8n1
	outb(0, port + IER);    // no interrupts
	outb(0, port + FCR);    // no FIFO
	outb(0x03, port + MCR); // DTR + RTS
	u8 lcr = inb(port + LCR);
	outb(lcr | 0x80, port + LCR); // DLAB on
	outb(divisor & 0xff, port + DLL);
	outb(divisor >> 8, port + DLH);
	outb(lcr & ~0x80, port + LCR);
}

void early_serial_write(const char *s, size_t len)
{
	if (!serial_base)
		return;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}
