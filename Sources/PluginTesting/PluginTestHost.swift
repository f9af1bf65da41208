import Kernel
import PluginAPI
