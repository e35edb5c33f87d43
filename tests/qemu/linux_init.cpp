// The init of the initramfs the QEMU tests give Debian's Linux (tests/qemu/
// linux_compare.py): it prints what the app is compared with, /proc/slabinfo,
// the kmalloc caches' attributes in /sys/kernel/slab, min_free_kbytes and
// /proc/zoneinfo, between marker lines on the console, then powers the
// machine off. Built static (g++ -static), so the initramfs
// holds nothing else.
#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

int out = 1;

void put(const std::string &s)
{
	size_t done = 0;
	while (done < s.size()) {
		ssize_t n = write(out, s.data() + done, s.size() - done);
		if (n <= 0)
			return;
		done += (size_t)n;
	}
}

std::string slurp(const std::string &path)
{
	std::string s;
	int fd = open(path.c_str(), O_RDONLY);
	if (fd < 0)
		return s;
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		s.append(buf, (size_t)n);
	close(fd);
	return s;
}

std::string first_line(const std::string &path)
{
	std::string s = slurp(path);
	return s.substr(0, s.find('\n'));
}

// Write a file its own contents back (a sysctl whose handler recomputes).
void rewrite(const std::string &path)
{
	std::string s = slurp(path);
	int fd = open(path.c_str(), O_WRONLY);
	if (fd < 0)
		return;
	if (write(fd, s.data(), s.size()) < 0)
		put("linux_init: cannot write " + path + "\n");
	close(fd);
}

void section(const char *name, const std::string &body)
{
	put(std::string("=== ") + name + " ===\n");
	put(body);
	if (!body.empty() && body.back() != '\n')
		put("\n");
}

// /sys/kernel/slab/kmalloc-*: the attributes the app's slab summary shows.
std::string sys_slab()
{
	static const char *attrs[] = {"object_size", "slab_size", "align", "order", "objs_per_slab",
				      "min_partial", "cpu_partial"};
	std::vector<std::string> names;
	if (DIR *d = opendir("/sys/kernel/slab")) {
		while (struct dirent *e = readdir(d)) {
			std::string n = e->d_name;
			if (n.rfind("kmalloc-", 0) == 0 || n.rfind("dma-kmalloc-", 0) == 0)
				names.push_back(n);
		}
		closedir(d);
	}
	std::sort(names.begin(), names.end());
	std::string s;
	for (const std::string &n : names) {
		s += n;
		for (const char *a : attrs)
			s += std::string(" ") + a + "=" + first_line("/sys/kernel/slab/" + n + "/" + a);
		s += "\n";
	}
	return s;
}

} // namespace

int main()
{
	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	mkdir("/dev", 0755);
	mount("proc", "/proc", "proc", 0, nullptr);
	mount("sysfs", "/sys", "sysfs", 0, nullptr);
	mount("devtmpfs", "/dev", "devtmpfs", 0, nullptr);
	int fd = open("/dev/console", O_WRONLY);
	if (fd >= 0)
		out = fd;
	section("slabinfo", slurp("/proc/slabinfo"));
	section("sys_slab", sys_slab());
	// Linux sets the watermarks, lowmem_reserve and pcp limits at a core
	// initcall, before the initrd and the init sections are freed; writing a
	// sysctl its own value sets them again from the final managed pages
	// (min_free_kbytes itself is not recomputed), the state tests/host/
	// page_alloc_test.cpp replays.
	rewrite("/proc/sys/vm/watermark_scale_factor");
	rewrite("/proc/sys/vm/lowmem_reserve_ratio");
	section("min_free_kbytes", slurp("/proc/sys/vm/min_free_kbytes"));
	section("zoneinfo", slurp("/proc/zoneinfo"));
	put("=== end ===\n");
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
