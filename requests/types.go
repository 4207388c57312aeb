package requests

// ReplyType is one way an application can be answered: a result row of
// table 3 of the annual report (国办公开办函〔2021〕30号). Code is the row's
// field path in the report record, so statistics print as the report's YAML.
type ReplyType struct {
	Code string
	Name string
}

// ReplyTypes are the rows （一） to （六） of table 3, in order.
var ReplyTypes = []ReplyType{
	{"disclosed", "予以公开"},
	{"partly_disclosed", "部分公开"},
	{"withheld.state_secret", "不予公开：属于国家秘密"},
	{"withheld.law_forbids", "不予公开：其他法律行政法规禁止公开"},
	{"withheld.security", "不予公开：危及“三安全一稳定”"},
	{"withheld.third_party", "不予公开：保护第三方合法权益"},
	{"withheld.internal", "不予公开：属于三类内部事务信息"},
	{"withheld.process", "不予公开：属于四类过程性信息"},
	{"withheld.enforcement_files", "不予公开：属于行政执法案卷"},
	{"withheld.query", "不予公开：属于行政查询事项"},
	{"unable.not_held", "无法提供：本机关不掌握相关政府信息"},
	{"unable.needs_creation", "无法提供：没有现成信息需要另行制作"},
	{"unable.unclear", "无法提供：补正后申请内容仍不明确"},
	{"not_processed.complaint", "不予处理：信访举报投诉类申请"},
	{"not_processed.duplicate", "不予处理：重复申请"},
	{"not_processed.publication", "不予处理：要求提供公开出版物"},
	{"not_processed.excessive", "不予处理：无正当理由大量反复申请"},
	{"not_processed.confirm", "不予处理：要求行政机关确认或重新出具已获取信息"},
	{"other.no_correction", "其他处理：申请人无正当理由逾期不补正，不再处理"},
	{"other.no_fee", "其他处理：申请人逾期未缴纳信息处理费，不再处理"},
	{"other.other", "其他处理：其他"},
}

// ReplyTypeCodes returns the codes of ReplyTypes in order.
func ReplyTypeCodes() []string {
	out := make([]string, len(ReplyTypes))
	for i, t := range ReplyTypes {
		out[i] = t.Code
	}
	return out
}

// ReplyTypeName returns the name of the reply type code, or the code itself.
func ReplyTypeName(code string) string {
	for _, t := range ReplyTypes {
		if t.Code == code {
			return t.Name
		}
	}
	return code
}

// Option is one choice of a select field: a stable code and its label.
type Option struct {
	Code string
	Name string
}

// ApplicantTypes are the applicant columns of table 3, in order.
var ApplicantTypes = []Option{
	{"natural", "自然人"},
	{"business", "商业企业"},
	{"research", "科研机构"},
	{"nonprofit", "社会公益组织"},
	{"legal", "法律服务机构"},
	{"other", "其他组织"},
}

// IDTypes are the identity documents an applicant may give (身份证明).
// uscc is for organisations; the others are for natural persons.
var IDTypes = []Option{
	{"resident_id", "居民身份证"},
	{"passport", "护照"},
	{"hk_macau", "港澳居民来往内地通行证"},
	{"taiwan", "台湾居民来往大陆通行证"},
	{"foreign_pr", "外国人永久居留身份证"},
	{"uscc", "统一社会信用代码证"},
	{"other", "其他有效证件"},
}

// Formats are the media the information can be provided on (载体形式).
var Formats = []Option{
	{"paper", "纸质文本"},
	{"electronic", "电子文档"},
	{"disc", "光盘"},
}

// Deliveries are the ways of obtaining the information (获取方式).
var Deliveries = []Option{
	{"post", "邮寄"},
	{"email", "电子邮件"},
	{"pickup", "自行领取"},
	{"onsite", "当场阅读、抄录"},
}

func optionName(opts []Option, code string) string {
	for _, o := range opts {
		if o.Code == code {
			return o.Name
		}
	}
	return code
}

func hasOption(opts []Option, code string) bool {
	for _, o := range opts {
		if o.Code == code {
			return true
		}
	}
	return false
}
