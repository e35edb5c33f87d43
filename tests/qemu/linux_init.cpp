// The init of the initramfs the QEMU tests give Debian's Linux (tests/qemu/
// linux_compare.py): it prints what the app's slab allocator is compared
// with, /proc/slabinfo and the kmalloc caches' attributes in /sys/kernel/slab,
// between marker lines on the console, then powers the machine off. Built static (g++ -static), so the initramfs
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
	put("=== end ===\n");
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
